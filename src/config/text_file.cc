#include "config/text_file.h"

#include <fstream>
#include <sstream>

namespace traceproof {

std::optional<std::string> ReadTextFile(const std::string& what, const std::string& path,
                                        std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) {
    error = what + " '" + path + "': cannot read it (or it is empty)";
    return std::nullopt;
  }
  return text.str();
}

}  // namespace traceproof

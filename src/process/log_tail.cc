#include "process/log_tail.h"

#include <deque>
#include <fstream>

namespace traceproof {

std::string LogFileTail(const std::filesystem::path& file, int lines, std::string_view indent) {
  std::ifstream in(file);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(std::move(line));
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const std::string& l : last) out.append(indent).append(l).append("\n");
  return out;
}

}  // namespace traceproof

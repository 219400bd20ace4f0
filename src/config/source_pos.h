// Where a piece of configuration came from (file:line:col), and the error that names it. Plain
// data; LoadError is what config loading throws at the edges (CLI, scenario load).
#pragma once

#include <stdexcept>
#include <string>

namespace traceproof {

struct SourcePos {
  std::string file;
  int line = 0;    // 1-based; 0 = not from a file (built in code)
  int column = 0;  // 1-based
};

class LoadError : public std::runtime_error {
 public:
  LoadError(const SourcePos& pos, const std::string& message)
      : std::runtime_error(pos.file + ":" + std::to_string(pos.line) + ":" +
                           std::to_string(pos.column) + ": " + message),
        pos_(pos) {}
  const SourcePos& pos() const { return pos_; }

 private:
  SourcePos pos_;
};

}  // namespace traceproof

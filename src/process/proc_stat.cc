#include "process/proc_stat.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace traceproof {
namespace {

// The fields of /proc/PID/stat after the command name (which may hold spaces and parentheses),
// numbered as in proc(5): the first one returned is field 3 (state).
std::vector<std::string> StatFields(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::vector<std::string> fields;
  const std::size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 > text.size()) return fields;
  std::istringstream in(text.substr(paren + 2));
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

std::uint64_t Field(const std::vector<std::string>& fields, int number) {
  const std::size_t at = static_cast<std::size_t>(number - 3);
  return at < fields.size() ? std::strtoull(fields[at].c_str(), nullptr, 10) : 0;
}

double CpuOf(const std::vector<std::string>& fields) {
  return static_cast<double>(Field(fields, 14) + Field(fields, 15)) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Every pid in group `pgid`, from /proc.
std::vector<pid_t> GroupMembers(pid_t pgid) {
  std::vector<pid_t> members;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (static_cast<pid_t>(Field(StatFields(pid), 5)) == pgid) members.push_back(pid);
  }
  return members;
}

}  // namespace

double ProcessCpuSeconds(pid_t pid) { return CpuOf(StatFields(pid)); }

std::uint64_t ProcessRssBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) {
      std::istringstream in(line.substr(6));
      std::uint64_t kib = 0;
      in >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

double GroupCpuSeconds(pid_t pgid) {
  double sum = 0;
  for (pid_t pid : GroupMembers(pgid)) sum += ProcessCpuSeconds(pid);
  return sum;
}

std::uint64_t GroupRssBytes(pid_t pgid) {
  std::uint64_t sum = 0;
  for (pid_t pid : GroupMembers(pgid)) sum += ProcessRssBytes(pid);
  return sum;
}

}  // namespace traceproof

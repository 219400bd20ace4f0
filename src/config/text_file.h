// A small file read whole at the edge (a PEM certificate or key named by a flag or an
// environment variable), so the components that use it never touch the file system and the
// error names what pointed at the file. A plain function: thread-safe.
#pragma once

#include <optional>
#include <string>

namespace traceproof {

// The file's bytes, or nullopt with `error` ("--tls-cert 'x.pem': cannot read it (or it is
// empty)"); `what` is the flag or variable that named the file.
std::optional<std::string> ReadTextFile(const std::string& what, const std::string& path,
                                        std::string& error);

}  // namespace traceproof

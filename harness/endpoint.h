// HOST:PORT flags ("127.0.0.1:4317", "[::1]:0", "localhost:4318", or "off"), parsed once at the
// edge so the receivers get a host string and a port number.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace traceproof {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

// nullopt for "off"; throws std::invalid_argument with a hint otherwise.
inline std::optional<Endpoint> ParseEndpoint(const std::string& flag, const std::string& text) {
  if (text == "off" || text == "none") return std::nullopt;
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size())
    throw std::invalid_argument(flag + " '" + text + "': want HOST:PORT, e.g. 127.0.0.1:4317");
  Endpoint ep;
  ep.host = text.substr(0, colon);
  if (ep.host.size() >= 2 && ep.host.front() == '[' && ep.host.back() == ']')
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  if (ep.host == "localhost") ep.host = "127.0.0.1";
  std::string port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) > 65535)
    throw std::invalid_argument(flag + " '" + text + "': port must be 0-65535 (0 picks a free one)");
  ep.port = static_cast<std::uint16_t>(std::stoul(port));
  return ep;
}

}  // namespace traceproof

#include "listen_warning.h"

// clang-format off: this must come before Boost's headers.
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <boost/asio/ip/address.hpp>

namespace traceproof {

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

std::string SinkExposureWarning(const std::string& command, const std::string& what,
                                const std::string& host, const std::string& address, bool secured) {
  if (secured || IsLoopbackHost(host)) return "";
  // `run` has no TLS flags (yet): only `sink` is told about them.
  const std::string tls =
      command == "sink" ? ", serve it over TLS with --tls-cert/--tls-key (--tls-client-ca for "
                          "client certificates)"
                        : "";
  return "traceproof " + command + ": warning: " + what + " listens on " + address +
         ", beyond loopback, and accepts any request: whoever can reach it can send spans "
         "into what is checked. Secure it with --require-header 'authorization=Bearer "
         "${TOKEN}' (TOKEN exported; `sink: { require_headers: ... }` in a scenario)" +
         tls + ", or listen on 127.0.0.1";
}

}  // namespace traceproof

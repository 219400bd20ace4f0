#include "receiver/tls.h"

// clang-format off: this must come before Boost's headers.
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include "config/text_file.h"

namespace traceproof {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> MakeServerTlsContext(const ReceiverTls& tls, std::string& error) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  // TLS 1.0 and 1.1 are deprecated (RFC 8996); OTLP clients all speak 1.2 or 1.3.
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(tls.cert_chain_pem), ec);
  if (ec) {
    error = "TLS certificate: " + ec.message();
    return nullptr;
  }
  context->use_private_key(boost::asio::buffer(tls.private_key_pem), ssl::context::pem, ec);
  if (ec) {
    error = "TLS key: " + ec.message();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    error = "TLS key does not match the certificate";
    return nullptr;
  }
  if (!tls.client_ca_pem.empty()) {
    context->add_certificate_authority(boost::asio::buffer(tls.client_ca_pem), ec);
    if (ec) {
      error = "TLS client CA: " + ec.message();
      return nullptr;
    }
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

bool TlsUsable(const ReceiverTls& tls, std::string& error) {
  return MakeServerTlsContext(tls, error) != nullptr;
}

std::optional<ReceiverTls> ReadReceiverTls(const std::string& cert_file,
                                           const std::string& key_file,
                                           const std::string& client_ca_file, std::string& error) {
  ReceiverTls tls;
  auto cert = ReadTextFile("--tls-cert", cert_file, error);
  if (!cert) return std::nullopt;
  auto key = ReadTextFile("--tls-key", key_file, error);
  if (!key) return std::nullopt;
  tls.cert_chain_pem = std::move(*cert);
  tls.private_key_pem = std::move(*key);
  if (!client_ca_file.empty()) {
    auto ca = ReadTextFile("--tls-client-ca", client_ca_file, error);
    if (!ca) return std::nullopt;
    tls.client_ca_pem = std::move(*ca);
  }
  return tls;
}

}  // namespace traceproof

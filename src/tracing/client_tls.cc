#include "tracing/client_tls.h"

// clang-format off: this must come before Boost's headers.
#include <utility>  // Boost 1.74 asio uses std::exchange without including it
// clang-format on

#include <grpcpp/grpcpp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

#include "config/text_file.h"

namespace traceproof {

namespace ssl = boost::asio::ssl;

std::optional<ClientTls> ReadClientTls(const std::string& ca_file, const std::string& cert_file,
                                       const std::string& key_file, const std::string& what_ca,
                                       const std::string& what_cert, const std::string& what_key,
                                       std::string& error) {
  if (cert_file.empty() != key_file.empty()) {
    error = (cert_file.empty() ? what_key + " is set without " + what_cert
                               : what_cert + " is set without " + what_key) +
            ": a client certificate needs both";
    return std::nullopt;
  }
  ClientTls tls;
  auto read = [&error](const std::string& path, const std::string& what, std::string& into) {
    if (path.empty()) return true;
    auto text = ReadTextFile(what, path, error);
    if (text) into = std::move(*text);
    return text.has_value();
  };
  if (!read(ca_file, what_ca, tls.ca_pem) || !read(cert_file, what_cert, tls.cert_chain_pem) ||
      !read(key_file, what_key, tls.private_key_pem))
    return std::nullopt;
  return tls;
}

std::shared_ptr<ssl::context> MakeClientTlsContext(const ClientTls& tls, std::string& error) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3);
  boost::system::error_code ec;
  if (tls.ca_pem.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->add_certificate_authority(boost::asio::buffer(tls.ca_pem), ec);
  }
  if (ec) {
    error = "TLS CA certificate: " + ec.message();
    return nullptr;
  }
  context->set_verify_mode(ssl::verify_peer);
  // A certificate in ca_pem is a trust anchor even when it is not a CA's (a pinned leaf), as
  // gRPC's TLS treats its root certificates: the two transports accept the same files.
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(context->native_handle()),
                              X509_V_FLAG_PARTIAL_CHAIN);
  if (!tls.cert_chain_pem.empty()) {
    context->use_certificate_chain(boost::asio::buffer(tls.cert_chain_pem), ec);
    if (ec) {
      error = "TLS client certificate: " + ec.message();
      return nullptr;
    }
    context->use_private_key(boost::asio::buffer(tls.private_key_pem), ssl::context::pem, ec);
    if (ec) {
      error = "TLS client key: " + ec.message();
      return nullptr;
    }
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
      error = "TLS client key does not match the client certificate";
      return nullptr;
    }
  }
  return context;
}

bool TlsVerifyHost(ssl_st* ssl, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
}

std::shared_ptr<grpc::Channel> MakeOtlpGrpcChannel(const std::string& target,
                                                   const std::optional<ClientTls>& tls,
                                                   grpc::ChannelArguments args) {
  if (!tls) return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  grpc::SslCredentialsOptions ssl_options;
  ssl_options.pem_root_certs = tls->ca_pem;  // empty: gRPC's default roots
  ssl_options.pem_cert_chain = tls->cert_chain_pem;
  ssl_options.pem_private_key = tls->private_key_pem;
  if (!tls->server_name.empty()) args.SetSslTargetNameOverride(tls->server_name);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl_options), args);
}

}  // namespace traceproof

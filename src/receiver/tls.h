// TLS on the sink's receivers (`traceproof sink --tls-cert --tls-key [--tls-client-ca]`): the
// certificate chain and key they present, and the CAs a client certificate must chain to
// (mutual TLS) when given. PEM text, read from files once at the edge, so a receiver never
// touches the file system. TLS 1.2 is the lowest version either receiver accepts. Plain data
// and plain functions: thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace traceproof {

struct ReceiverTls {
  std::string cert_chain_pem;  // the server's certificate, then its intermediates
  std::string private_key_pem;
  std::string client_ca_pem;  // empty: no client certificate asked for
};

// The OTLP/HTTP receiver's server context (TLS 1.2+, mutual TLS with client_ca_pem), or
// nullptr with `error` ("TLS certificate: ...", "TLS key does not match the certificate").
// Also how the sink checks a configuration before either receiver starts: gRPC would only
// fail at the first handshake.
std::unique_ptr<boost::asio::ssl::context> MakeServerTlsContext(const ReceiverTls& tls,
                                                                std::string& error);

// Whether MakeServerTlsContext would succeed (`error` says why not), for callers that only
// check a configuration.
bool TlsUsable(const ReceiverTls& tls, std::string& error);

// The PEM files into a ReceiverTls, or nullopt with `error` naming the flag and the file.
std::optional<ReceiverTls> ReadReceiverTls(const std::string& cert_file,
                                           const std::string& key_file,
                                           const std::string& client_ca_file, std::string& error);

}  // namespace traceproof

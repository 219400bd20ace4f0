// TLS for the OTLP clients (the exporters, the forwarder, span load): what a client trusts and
// what it presents, as PEM text read once at the edge (ReadClientTls), and the two transports
// made from it: an OpenSSL context for Beast's HTTP clients and gRPC channel credentials. TLS
// 1.2 is the lowest version offered, as on the sink's receivers; the server's name is always
// verified (against `server_name`, or the host the client connects to). Plain data and plain
// functions: thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

struct ssl_st;  // OpenSSL's SSL

namespace boost::asio::ssl {
class context;
}
namespace grpc {
class Channel;
class ChannelArguments;
}  // namespace grpc

namespace traceproof {

struct ClientTls {
  std::string ca_pem;          // the CAs the server must chain to; empty: the system's store
  std::string cert_chain_pem;  // the client's certificate for mutual TLS; empty: none
  std::string private_key_pem;
  std::string server_name;  // the name to verify and send as SNI; empty: the endpoint's host
};

// The files into a ClientTls; an empty path leaves its part empty. nullopt with `error` naming
// `what_*` (a flag or a variable) and the file. A certificate without a key (or the reverse) is
// an error.
std::optional<ClientTls> ReadClientTls(const std::string& ca_file, const std::string& cert_file,
                                       const std::string& key_file, const std::string& what_ca,
                                       const std::string& what_cert, const std::string& what_key,
                                       std::string& error);

// A client context that verifies the peer (TLS 1.2+), or nullptr with `error`. Host name
// verification is set per connection (TlsVerifyHost), since one context may serve several.
std::shared_ptr<boost::asio::ssl::context> MakeClientTlsContext(const ClientTls& tls,
                                                                std::string& error);

// Before a handshake on `ssl`: send `host` as SNI (unless it is an IP address) and make the
// handshake fail unless the server's certificate names it (DNS or IP subject alt name).
// false when OpenSSL refused the name.
bool TlsVerifyHost(ssl_st* ssl, const std::string& host);

// A gRPC channel to `target`: TLS with `tls`, plain text without it. `args` are the caller's
// channel arguments; the server-name override is added to them when tls->server_name is set.
std::shared_ptr<grpc::Channel> MakeOtlpGrpcChannel(const std::string& target,
                                                   const std::optional<ClientTls>& tls,
                                                   grpc::ChannelArguments args);

}  // namespace traceproof

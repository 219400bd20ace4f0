// Certificates for TLS tests, made at test time with OpenSSL's library (never committed): a CA,
// a server certificate it signed for 127.0.0.1, ::1 and localhost, and a client certificate for
// mutual TLS. EC P-256 keys, valid for a day. Each call makes a fresh set: two sets never trust
// each other. Callable from any thread.
#pragma once

#include <string>

namespace traceproof::testing {

struct TestPki {
  std::string ca_cert;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
};

TestPki MakeTestPki();

}  // namespace traceproof::testing

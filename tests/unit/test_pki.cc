#include "test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <memory>
#include <stdexcept>

namespace traceproof::testing {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key NewKey() {
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw std::runtime_error("X509V3_EXT_conf_nid failed");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// `issuer` null: self-signed with `key`.
Cert NewCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
             const char* san, long serial) {
  Cert cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  AddExtension(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (ca) AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  if (san != nullptr) AddExtension(cert.get(), signer, NID_subject_alt_name, san);
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0)
    throw std::runtime_error("X509_sign failed");
  return cert;
}

template <typename Write>
std::string Pem(Write write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (write(bio.get()) != 1) throw std::runtime_error("PEM write failed");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string CertPem(X509* cert) {
  return Pem([cert](BIO* b) { return PEM_write_bio_X509(b, cert); });
}
std::string KeyPem(EVP_PKEY* key) {
  return Pem([key](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

}  // namespace

TestPki MakeTestPki() {
  static std::atomic<long> serial{1};  // distinct serials within a process
  Key ca_key = NewKey();
  Cert ca = NewCert(ca_key.get(), "traceproof test CA", nullptr, nullptr, true, nullptr, serial++);
  Key server_key = NewKey();
  Cert server = NewCert(server_key.get(), "localhost", ca.get(), ca_key.get(), false,
                        "IP:127.0.0.1,IP:::1,DNS:localhost", serial++);
  Key client_key = NewKey();
  Cert client = NewCert(client_key.get(), "traceproof test client", ca.get(), ca_key.get(), false,
                        nullptr, serial++);
  TestPki pki;
  pki.ca_cert = CertPem(ca.get());
  pki.server_cert = CertPem(server.get());
  pki.server_key = KeyPem(server_key.get());
  pki.client_cert = CertPem(client.get());
  pki.client_key = KeyPem(client_key.get());
  return pki;
}

}  // namespace traceproof::testing

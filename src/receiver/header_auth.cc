#include "receiver/header_auth.h"

#include <openssl/crypto.h>

namespace traceproof {

bool ConstantTimeEquals(std::string_view got, std::string_view want) noexcept {
  if (got.size() != want.size()) return false;
  if (want.empty()) return true;
  return CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

bool HasRequiredHeaders(const RequiredHeaders& required, const HeaderValues& values) {
  for (const RequiredHeader& r : required) {
    bool matched = false;
    values(r.name, [&](std::string_view value) {
      matched = ConstantTimeEquals(value, r.value);
      return matched;
    });
    if (!matched) return false;
  }
  return true;
}

}  // namespace traceproof

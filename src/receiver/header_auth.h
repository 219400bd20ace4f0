// Whether an export request carries every header the sink requires (receiver/, both
// transports): the gRPC receiver answers UNAUTHENTICATED and the HTTP handler 401 when not,
// counted as RefusalReason::kUnauthenticated. Values are compared in constant time (OpenSSL's
// CRYPTO_memcmp once the lengths agree), so the time an answer takes says nothing about how
// much of a guessed token was right; only its length can leak, as with any such compare.
// Header names match case-insensitively (the required names are lower case; gRPC metadata keys
// are lower case already). Plain functions over immutable data: thread-safe.
#pragma once

#include <functional>
#include <string_view>

#include "config/required_header.h"

namespace traceproof {

// Equal bytes, in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view got, std::string_view want) noexcept;

// Calls `visit(value)` for each value the request has for a header `lower_name`; stops when
// `visit` returns true.
using HeaderValues = std::function<void(std::string_view lower_name,
                                        const std::function<bool(std::string_view value)>& visit)>;

// True when every required header is present with its value (any one of several values of a
// name may match). No requirement: true.
bool HasRequiredHeaders(const RequiredHeaders& required, const HeaderValues& values);

}  // namespace traceproof

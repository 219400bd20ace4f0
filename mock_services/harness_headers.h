// Headers only traceproof's own mocks read and write, on HTTP calls and queue messages beside the
// W3C trace headers. They survive a fault that drops the trace headers, which is what lets ground
// truth tie a broken hop to its request and to the parent it should have had.
#pragma once

#include <string_view>

#include "truth/inbound_record.h"  // kLoadMarkerHeader, which the load generator sends

namespace traceproof::mock {

// The load request a span belongs to, carried from service to service.
inline constexpr std::string_view kRequestIdHeader = "x-traceproof-request-id";
// The span the receiver's span should be the child of (the caller's client or producer span).
inline constexpr std::string_view kExpectedParentHeader = "x-traceproof-parent-span";
// Per published message: lets Stop() wait for each message to be processed once, however often
// the broker delivers it (a redelivery after a broker restart processes it again).
inline constexpr std::string_view kMessageIdHeader = "x-traceproof-message-id";

}  // namespace traceproof::mock

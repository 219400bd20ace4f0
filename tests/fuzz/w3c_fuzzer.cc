// Fuzzes the W3C header parsers every mock runs on every hop (traceparent, tracestate,
// baggage: bytes from the network or a message's headers). Beyond "no crash", each parser's
// output must read back as itself: a valid traceparent formats and parses to the same ids and
// sampled flag, a tracestate carried on is valid tracestate, and baggage formats to a header
// that parses to the same entries.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tracing/w3c.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace w3c = traceproof::w3c;
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  if (auto context = w3c::ParseTraceparent(header)) {
    const std::string formatted = w3c::FormatTraceparent(*context);
    const auto again = w3c::ParseTraceparent(formatted);
    // Only the sampled bit goes on (version 00 reserves the others).
    if (!again || again->trace_id != context->trace_id || again->span_id != context->span_id ||
        again->sampled() != context->sampled())
      __builtin_trap();
  }
  if (auto state = w3c::ParseTracestate(header)) {
    const auto again = w3c::ParseTracestate(*state);
    if (!again || *again != *state) __builtin_trap();
  }
  const std::string baggage = w3c::FormatBaggage(w3c::ParseBaggage(header));
  if (w3c::FormatBaggage(w3c::ParseBaggage(baggage)) != baggage) __builtin_trap();
  return 0;
}

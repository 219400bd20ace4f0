// W3C Baggage: name/value pairs (with optional properties) that travel with a request.
// Plain value.
#pragma once

#include <string>
#include <vector>

namespace traceproof {

struct BaggageEntry {
  std::string key;
  std::string value;       // percent-decoded
  std::string properties;  // raw ";prop=..." metadata after the value, kept as received
};

struct Baggage {
  std::vector<BaggageEntry> entries;
};

}  // namespace traceproof

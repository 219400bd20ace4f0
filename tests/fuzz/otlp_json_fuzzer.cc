// Fuzzes OTLP/JSON conversion and then the protobuf decoder on its output.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "otlp/decode.h"
#include "otlp/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  traceproof::JsonToProtoResult converted = traceproof::OtlpJsonToProto(text);
  if (!converted.ok()) return 0;
  auto r = traceproof::DecodeExportRequest(
      std::make_shared<const std::string>(std::move(converted.bytes)));
  // protobuf serialized it, so it must be well-formed for our decoder too.
  if (!r.ok()) __builtin_trap();
  return 0;
}

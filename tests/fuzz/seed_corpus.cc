// Writes the fuzzers' seed corpora: synthetic requests as protobuf, and as OTLP/JSON, so the
// fuzzers start from valid input shaped like what SDKs send.
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "load/synthetic_spans.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seed_corpus PROTOBUF_DIR JSON_DIR\n";
    return 2;
  }
  std::filesystem::create_directories(argv[1]);
  std::filesystem::create_directories(argv[2]);
  int n = 0;
  for (int spans : {1, 3, 16}) {
    for (int attrs : {0, 2, 10}) {
      traceproof::SyntheticSpanOptions o;
      o.spans = spans;
      o.attributes_per_span = attrs;
      o.spans_per_trace = 3;
      o.seed = static_cast<std::uint64_t>(++n);
      auto request = traceproof::MakeSyntheticRequest(o);
      std::ofstream(std::filesystem::path(argv[1]) / ("seed-" + std::to_string(n)),
                    std::ios::binary)
          << request.SerializeAsString();
      // Canonical protobuf JSON has base64 ids; the fuzzer mutates from there, and the JSON
      // corpus also gets hand-shaped OTLP/JSON below.
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(request, &json);
      std::ofstream(std::filesystem::path(argv[2]) / ("seed-" + std::to_string(n))) << json;
    }
  }
  std::ofstream(std::filesystem::path(argv[2]) / "seed-otlp-hex")
      << R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":)"
      << R"({"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"s"},"spans":[{"traceId":)"
      << R"("5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":)"
      << R"("eee19b7ec3c1b173","name":"op","kind":2,"startTimeUnixNano":"1","endTimeUnixNano":)"
      << R"("2","links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":)"
      << R"("b7ad6b7169203331"}],"status":{"code":2}}]}]}]})";
  return 0;
}

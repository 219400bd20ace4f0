// Fuzzes the OTLP/HTTP receiver's handling from raw request bytes to its response: Beast parses
// the bytes as a client sent them (headers, chunked or sized bodies, gzip claims), and every
// request that parses goes through HandleOtlpHttp with a store that is full every third call.
// Beyond "no crash", the answer must be one the receiver documents (200, 400, 401, 404, 405,
// 413, 415, 429), and the counters must hold: spans received = accepted + refused.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>

#include "receiver/http_handler.h"
#include "receiver/ingest.h"
#include "receiver/limits.h"

namespace {

class FullEveryThirdCall final : public traceproof::SpanConsumer {
 public:
  traceproof::ConsumeResult Consume(traceproof::SpanBatch batch) noexcept override {
    if (++calls_ % 3 == 0) return {traceproof::ConsumeStatus::kStoreFull, 0};
    return {traceproof::ConsumeStatus::kAccepted, batch.spans.size()};
  }

 private:
  std::uint64_t calls_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;  // Beast answers that itself (400) or waits for more
  static FullEveryThirdCall consumer;
  traceproof::IngestCounters counters;
  traceproof::ReceiverLimits limits;
  limits.max_body_bytes = 1 << 20;
  const traceproof::HttpResponse response =
      traceproof::HandleOtlpHttp(parser.release(), consumer, counters, limits);
  switch (response.result_int()) {
    case 200:
    case 400:
    case 401:
    case 404:
    case 405:
    case 413:
    case 415:
    case 429:
      break;
    default:
      __builtin_trap();
  }
  if (counters.spans_received.load() != counters.spans_accepted.load() + counters.SpansRefused())
    __builtin_trap();
  return 0;
}

// OTLP/HTTP request handling as a plain function from request to response, so tests drive it
// without a socket (the Beast examples' shape). Accepts POST /v1/traces with
// application/x-protobuf or application/json bodies, optionally gzip-encoded, and answers as the
// OTLP/HTTP spec says: 200 with ExportTraceServiceResponse (partial_success when spans were
// rejected), 401 without a required header (ReceiverLimits::required_headers; checked first),
// 400 malformed (message names the field), 413 too large, 415 unsupported media type or encoding,
// 429 with Retry-After when the store is full. Error bodies are google.rpc.Status in
// the request's encoding. Thread-safe: may be called from any receiver thread.
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>

#include "receiver/ingest.h"
#include "receiver/limits.h"

namespace traceproof {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

HttpResponse HandleOtlpHttp(HttpRequest&& request, SpanConsumer& consumer, IngestCounters& counters,
                            const ReceiverLimits& limits);

}  // namespace traceproof

// OTLP/HTTP (binary protobuf) span exporter: POST /v1/traces with
// Content-Type: application/x-protobuf over one kept-alive Boost.Beast connection, reconnecting
// when it breaks, optionally gzip-compressed. Retries per the OTLP spec (export_request.h) on
// 429, 502, 503, 504 and connection errors, honouring Retry-After (seconds); any other non-2xx
// status fails the batch at once. Threading: OtlpExporter.
#pragma once

#include <memory>

#include "tracing/otlp_exporter_options.h"

namespace traceproof {

std::unique_ptr<OtlpExporter> MakeOtlpHttpExporter(const OtlpExporterOptions& options);

}  // namespace traceproof

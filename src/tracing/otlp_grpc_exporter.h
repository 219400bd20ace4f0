// OTLP/gRPC span exporter: sends each batch to
// /opentelemetry.proto.collector.trace.v1.TraceService/Export as raw bytes through
// grpc::GenericStub, so the request is the framed bytes of export_request.h and no protobuf
// message is built on the way out. Retries per the OTLP spec (export_request.h): CANCELLED,
// DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS, and RESOURCE_EXHAUSTED only
// when the status carries google.rpc.RetryInfo, whose retry_delay is honoured. One channel (one
// connection) per exporter, as one per service process would have. Threading: OtlpExporter.
#pragma once

#include <memory>

#include "tracing/otlp_exporter_options.h"

namespace traceproof {

std::unique_ptr<OtlpExporter> MakeOtlpGrpcExporter(const OtlpExporterOptions& options);

}  // namespace traceproof

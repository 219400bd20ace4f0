// On-demand full decode of a stored span (attributes, events, links, resource, scope) with the
// official generated classes. Ingest keeps only byte ranges for these (see decode.h); reports
// and attribute-level checks call this when they actually need the detail. Thread-safe.
#pragma once

#include <optional>

#include "opentelemetry/proto/common/v1/common.pb.h"
#include "opentelemetry/proto/resource/v1/resource.pb.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "otlp/span_view.h"

namespace traceproof {

namespace pb {
using opentelemetry::proto::common::v1::AnyValue;
using opentelemetry::proto::common::v1::InstrumentationScope;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::resource::v1::Resource;
using opentelemetry::proto::trace::v1::Span;
}  // namespace pb

struct SpanDetails {
  pb::Span span;
  pb::Resource resource;
  pb::InstrumentationScope scope;
};

// nullopt when a part the ingest decoder did not walk turns out to be corrupt.
std::optional<SpanDetails> DecodeSpanDetails(const SpanView& view);

}  // namespace traceproof

#include "otlp/decode.h"

#include <fmt/format.h>

#include "otlp/wire_reader.h"

namespace traceproof {
namespace {

// Field numbers from opentelemetry/proto/{collector/trace,trace,resource,common}/v1/*.proto.
namespace f {
constexpr std::uint32_t kRequestResourceSpans = 1;
constexpr std::uint32_t kResourceSpansResource = 1, kResourceSpansScopeSpans = 2;
constexpr std::uint32_t kResourceAttributes = 1;
constexpr std::uint32_t kKeyValueKey = 1, kKeyValueValue = 2;
constexpr std::uint32_t kAnyValueString = 1;
constexpr std::uint32_t kScopeSpansScope = 1, kScopeSpansSpans = 2;
constexpr std::uint32_t kScopeName = 1;
constexpr std::uint32_t kSpanTraceId = 1, kSpanSpanId = 2, kSpanParentSpanId = 4, kSpanName = 5,
                        kSpanKind = 6, kSpanStart = 7, kSpanEnd = 8, kSpanStatus = 15;
constexpr std::uint32_t kStatusMessage = 2, kStatusCode = 3;
}  // namespace f

std::string_view WireTypeName(WireType t) {
  switch (t) {
    case WireType::kVarint:
      return "varint";
    case WireType::kFixed64:
      return "fixed64";
    case WireType::kLen:
      return "length-delimited";
    case WireType::kFixed32:
      return "fixed32";
  }
  return "?";
}

// Paths are built only when something is wrong, so the happy path carries plain indices.
struct Where {
  int resource = -1, scope = -1, span = -1;
  std::string Path(std::string_view field) const {
    std::string p = "resource_spans";
    if (resource >= 0) p += fmt::format("[{}]", resource);
    if (scope >= 0) p += fmt::format(".scope_spans[{}]", scope);
    if (span >= 0) p += fmt::format(".spans[{}]", span);
    if (!field.empty()) fmt::format_to(std::back_inserter(p), ".{}", field);
    return p;
  }
};

class Decoder {
 public:
  explicit Decoder(DecodeResult& out) : out_(out) {}

  bool Request(std::string_view bytes) {
    WireReader r(bytes);
    Where where;
    while (!r.AtEnd()) {
      std::uint32_t field;
      WireType type;
      if (!r.ReadTag(field, type)) return Fail(where, "", "invalid tag");
      if (field == f::kRequestResourceSpans) {
        ++where.resource;
        std::string_view rs;
        if (!ExpectLen(r, type, rs, where, "")) return false;
        if (!ResourceSpans(rs, where)) return false;
      } else if (!r.Skip(type)) {
        return Fail(where, "", "truncated unknown field");
      }
    }
    return true;
  }

 private:
  bool ResourceSpans(std::string_view bytes, Where where) {
    // The resource may follow its scope_spans on the wire, so collect both before decoding.
    std::string_view resource;
    std::string_view service_name;
    scopes_.clear();
    WireReader r(bytes);
    while (!r.AtEnd()) {
      std::uint32_t field;
      WireType type;
      if (!r.ReadTag(field, type)) return Fail(where, "", "invalid tag");
      std::string_view sub;
      if (field == f::kResourceSpansResource) {
        if (!ExpectLen(r, type, sub, where, "resource")) return false;
        resource = sub;
      } else if (field == f::kResourceSpansScopeSpans) {
        if (!ExpectLen(r, type, sub, where, "scope_spans")) return false;
        scopes_.push_back(sub);
      } else if (!r.Skip(type)) {
        return Fail(where, "", "truncated unknown field");
      }
    }
    if (!ServiceName(resource, where, service_name)) return false;
    // Copy: ScopeSpans() below must not see a vector that a nested call could reuse.
    auto scopes = std::move(scopes_);
    for (std::size_t i = 0; i < scopes.size(); ++i) {
      where.scope = static_cast<int>(i);
      if (!ScopeSpans(scopes[i], where, resource, service_name)) return false;
    }
    scopes_ = std::move(scopes);
    return true;
  }

  bool ServiceName(std::string_view resource, const Where& where, std::string_view& out) {
    WireReader r(resource);
    int attr = -1;
    while (!r.AtEnd()) {
      std::uint32_t field;
      WireType type;
      if (!r.ReadTag(field, type)) return Fail(where, "resource", "invalid tag");
      if (field != f::kResourceAttributes || type != WireType::kLen) {
        if (!r.Skip(type)) return Fail(where, "resource", "truncated field");
        continue;
      }
      ++attr;
      std::string_view kv;
      if (!r.ReadLen(kv))
        return Fail(where, fmt::format("resource.attributes[{}]", attr), "truncated");
      std::string_view key, value;
      bool has_string = false;
      WireReader kr(kv);
      while (!kr.AtEnd()) {
        std::uint32_t kf;
        WireType kt;
        std::string_view s;
        if (!kr.ReadTag(kf, kt) || (kt == WireType::kLen ? !kr.ReadLen(s) : !kr.Skip(kt)))
          return Fail(where, fmt::format("resource.attributes[{}]", attr), "malformed KeyValue");
        if (kf == f::kKeyValueKey && kt == WireType::kLen) key = s;
        if (kf == f::kKeyValueValue && kt == WireType::kLen) {
          WireReader vr(s);
          std::uint32_t vf;
          WireType vt;
          std::string_view v;
          while (!vr.AtEnd()) {
            if (!vr.ReadTag(vf, vt) || (vt == WireType::kLen ? !vr.ReadLen(v) : !vr.Skip(vt)))
              return Fail(where, fmt::format("resource.attributes[{}].value", attr),
                          "malformed AnyValue");
            if (vf == f::kAnyValueString && vt == WireType::kLen) {
              value = v;
              has_string = true;
            }
          }
        }
      }
      if (key == "service.name" && has_string) out = value;
    }
    return true;
  }

  bool ScopeSpans(std::string_view bytes, Where where, std::string_view resource,
                  std::string_view service_name) {
    std::string_view scope, scope_name;
    WireReader r(bytes);
    // Spans may precede the scope on the wire; remember where spans start and decode after.
    spans_.clear();
    while (!r.AtEnd()) {
      std::uint32_t field;
      WireType type;
      if (!r.ReadTag(field, type)) return Fail(where, "", "invalid tag");
      std::string_view sub;
      if (field == f::kScopeSpansScope) {
        if (!ExpectLen(r, type, sub, where, "scope")) return false;
        scope = sub;
      } else if (field == f::kScopeSpansSpans) {
        where.span = static_cast<int>(spans_.size());
        if (!ExpectLen(r, type, sub, where, "")) return false;
        where.span = -1;
        spans_.push_back(sub);
      } else if (!r.Skip(type)) {
        return Fail(where, "", "truncated unknown field");
      }
    }
    if (!scope.empty()) {
      WireReader sr(scope);
      while (!sr.AtEnd()) {
        std::uint32_t field;
        WireType type;
        std::string_view s;
        if (!sr.ReadTag(field, type) || (type == WireType::kLen ? !sr.ReadLen(s) : !sr.Skip(type)))
          return Fail(where, "scope", "malformed InstrumentationScope");
        if (field == f::kScopeName && type == WireType::kLen) scope_name = s;
      }
    }
    auto& spans = out_.batch.spans;
    for (std::size_t i = 0; i < spans_.size(); ++i) {
      where.span = static_cast<int>(i);
      SpanView& v = spans.emplace_back();
      v.raw = spans_[i];
      v.resource_raw = resource;
      v.scope_raw = scope;
      v.service_name = service_name;
      v.scope_name = scope_name;
      ++out_.spans_seen;
      if (!Span(v, where)) return false;
    }
    return true;
  }

  // Decodes one span into the view the caller appended; pops it again when its ids are invalid.
  bool Span(SpanView& v, const Where& where) {
    WireReader r(v.raw);
    std::string_view trace_id, span_id, parent;
    bool has_trace_id = false, has_span_id = false;
    while (!r.AtEnd()) {
      std::uint32_t field;
      WireType type;
      if (!r.ReadTag(field, type)) return Fail(where, "", "invalid tag");
      switch (field) {
        case f::kSpanTraceId:
          if (!ExpectLen(r, type, trace_id, where, "trace_id")) return false;
          has_trace_id = true;
          break;
        case f::kSpanSpanId:
          if (!ExpectLen(r, type, span_id, where, "span_id")) return false;
          has_span_id = true;
          break;
        case f::kSpanParentSpanId:
          if (!ExpectLen(r, type, parent, where, "parent_span_id")) return false;
          break;
        case f::kSpanName:
          if (!ExpectLen(r, type, v.name, where, "name")) return false;
          break;
        case f::kSpanKind: {
          std::uint64_t kind = 0;
          if (!ExpectVarint(r, type, kind, where, "kind")) return false;
          // Unknown enum values are legal proto3; keep them visible as unspecified.
          v.kind = kind <= 5 ? static_cast<SpanKind>(kind) : SpanKind::kUnspecified;
          break;
        }
        case f::kSpanStart:
          if (!ExpectFixed64(r, type, v.start_unix_ns, where, "start_time_unix_nano")) return false;
          break;
        case f::kSpanEnd:
          if (!ExpectFixed64(r, type, v.end_unix_ns, where, "end_time_unix_nano")) return false;
          break;
        case f::kSpanStatus: {
          std::string_view status;
          if (!ExpectLen(r, type, status, where, "status")) return false;
          if (!Status(status, v, where)) return false;
          break;
        }
        default:
          if (!r.Skip(type))
            return Fail(where, fmt::format("field {}", field), "truncated");
      }
    }
    if (!has_trace_id || trace_id.size() != TraceId::kSize) {
      return Reject(where, RefusalReason::kInvalidTraceId, "trace_id",
                    fmt::format("{} bytes, want 16", trace_id.size()));
    }
    v.trace_id = TraceId::FromBytes(trace_id);
    if (!v.trace_id.IsValid())
      return Reject(where, RefusalReason::kInvalidTraceId, "trace_id", "all zero");
    if (!has_span_id || span_id.size() != SpanId::kSize) {
      return Reject(where, RefusalReason::kInvalidSpanId, "span_id",
                    fmt::format("{} bytes, want 8", span_id.size()));
    }
    v.span_id = SpanId::FromBytes(span_id);
    if (!v.span_id.IsValid())
      return Reject(where, RefusalReason::kInvalidSpanId, "span_id", "all zero");
    if (!parent.empty()) {
      if (parent.size() != SpanId::kSize) {
        return Reject(where, RefusalReason::kInvalidParentSpanId, "parent_span_id",
                      fmt::format("{} bytes, want 0 or 8", parent.size()));
      }
      v.parent_span_id = SpanId::FromBytes(parent);
    }
    return true;
  }

  bool Status(std::string_view bytes, SpanView& v, const Where& where) {
    WireReader r(bytes);
    while (!r.AtEnd()) {
      std::uint32_t field;
      WireType type;
      if (!r.ReadTag(field, type)) return Fail(where, "status", "invalid tag");
      if (field == f::kStatusMessage) {
        if (!ExpectLen(r, type, v.status_message, where, "status.message")) return false;
      } else if (field == f::kStatusCode) {
        std::uint64_t code = 0;
        if (!ExpectVarint(r, type, code, where, "status.code")) return false;
        v.status = code <= 2 ? static_cast<StatusCode>(code) : StatusCode::kUnset;
      } else if (!r.Skip(type)) {
        return Fail(where, "status", "truncated field");
      }
    }
    return true;
  }

  bool Reject(const Where& where, RefusalReason reason, std::string_view field,
              std::string_view why) {
    out_.batch.spans.pop_back();
    ++out_.spans_rejected;
    ++out_.rejected_by_reason[static_cast<std::size_t>(reason)];
    if (out_.first_rejection.empty())
      out_.first_rejection = fmt::format("{}: {}", where.Path(field), why);
    return true;  // the request goes on; only this span is refused
  }

  bool ExpectLen(WireReader& r, WireType type, std::string_view& out, const Where& where,
                 std::string_view field) {
    if (type != WireType::kLen) return WrongType(where, field, type, "length-delimited");
    std::uint64_t len;
    if (!r.ReadVarint(len)) return Fail(where, field, "truncated length");
    if (len > r.Remaining()) {
      return Fail(where, field,
                  fmt::format("length {} exceeds the {} bytes left", len, r.Remaining()));
    }
    out = r.Take(static_cast<std::size_t>(len));
    return true;
  }
  bool ExpectVarint(WireReader& r, WireType type, std::uint64_t& out, const Where& where,
                    std::string_view field) {
    if (type != WireType::kVarint) return WrongType(where, field, type, "varint");
    if (!r.ReadVarint(out)) return Fail(where, field, "truncated varint");
    return true;
  }
  bool ExpectFixed64(WireReader& r, WireType type, std::uint64_t& out, const Where& where,
                     std::string_view field) {
    if (type != WireType::kFixed64) return WrongType(where, field, type, "fixed64");
    if (!r.ReadFixed64(out)) return Fail(where, field, "truncated fixed64");
    return true;
  }
  bool WrongType(const Where& where, std::string_view field, WireType got, std::string_view want) {
    out_.error = fmt::format("{}: wire type {}, want {}", where.Path(field), WireTypeName(got), want);
    return false;
  }
  bool Fail(const Where& where, std::string_view field, std::string_view what) {
    out_.error = fmt::format("{}: {}", where.Path(field), what);
    return false;
  }

  DecodeResult& out_;
  std::vector<std::string_view> scopes_;
  std::vector<std::string_view> spans_;
};

}  // namespace

std::string_view SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal:
      return "INTERNAL";
    case SpanKind::kServer:
      return "SERVER";
    case SpanKind::kClient:
      return "CLIENT";
    case SpanKind::kProducer:
      return "PRODUCER";
    case SpanKind::kConsumer:
      return "CONSUMER";
    case SpanKind::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kError:
      return "ERROR";
    case StatusCode::kUnset:
      break;
  }
  return "UNSET";
}

DecodeResult DecodeExportRequest(std::shared_ptr<const std::string> bytes) {
  DecodeResult result;
  result.batch.bytes = std::move(bytes);
  Decoder decoder(result);
  if (!decoder.Request(*result.batch.bytes)) {
    // Nothing of a malformed request is kept; every span seen so far counts as refused.
    result.batch.spans.clear();
    result.spans_rejected = result.spans_seen;
    result.rejected_by_reason = {};
    result.rejected_by_reason[static_cast<std::size_t>(RefusalReason::kMalformed)] =
        result.spans_seen;
    result.first_rejection.clear();
  }
  return result;
}

}  // namespace traceproof

#include "process/collector_metrics.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "process/http_get.h"

namespace traceproof {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':';
}

// `{a="x",b="y\"z"}` at text[i] (the '{'); advances i past the '}'. False when malformed.
bool ParseLabels(std::string_view text, std::size_t& i, std::map<std::string, std::string>& out) {
  ++i;  // '{'
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i < text.size() && text[i] == '}') {
      ++i;
      return true;
    }
    const std::size_t name_begin = i;
    while (i < text.size() && IsNameChar(text[i])) ++i;
    const std::string name(text.substr(name_begin, i - name_begin));
    if (name.empty() || i + 1 >= text.size() || text[i] != '=' || text[i + 1] != '"') return false;
    i += 2;
    std::string value;
    while (i < text.size() && text[i] != '"') {
      if (text[i] == '\\' && i + 1 < text.size()) {
        ++i;
        value += text[i] == 'n' ? '\n' : text[i];
      } else {
        value += text[i];
      }
      ++i;
    }
    if (i >= text.size()) return false;
    ++i;  // closing quote
    out[name] = std::move(value);
  }
  return false;
}

std::uint64_t Count(std::optional<double> v) {
  return v && *v > 0 ? static_cast<std::uint64_t>(std::llround(*v)) : 0;
}

// The exporters that can reach the sink: every exporter but the ones that print or discard.
bool ForwardingExporter(const std::string& id) {
  const std::string type = id.substr(0, id.find('/'));
  return type != "debug" && type != "nop" && type != "logging";
}

bool IsTraces(const PromSample& s) {
  for (const char* key : {"otel_signal", "data_type"}) {
    auto it = s.labels.find(key);
    if (it != s.labels.end()) return it->second == "traces";
  }
  return true;
}

}  // namespace

std::vector<PromSample> ParsePrometheusText(std::string_view text) {
  std::vector<PromSample> samples;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    PromSample s;
    std::size_t i = 0;
    while (i < line.size() && IsNameChar(line[i])) ++i;
    s.name = std::string(line.substr(0, i));
    if (s.name.empty()) continue;
    if (i < line.size() && line[i] == '{' && !ParseLabels(line, i, s.labels)) continue;
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t value_end = line.find(' ', i);
    if (value_end == std::string_view::npos) value_end = line.size();
    const std::string value(line.substr(i, value_end - i));
    char* parsed_end = nullptr;
    s.value = std::strtod(value.c_str(), &parsed_end);
    if (value.empty() || parsed_end != value.c_str() + value.size()) continue;
    samples.push_back(std::move(s));
  }
  return samples;
}

std::optional<double> SumMetric(const std::vector<PromSample>& samples, std::string_view name,
                                const std::map<std::string, std::string>& match) {
  std::optional<double> sum;
  for (const PromSample& s : samples) {
    const std::string_view n = s.name;
    if (n != name && !(n.size() == name.size() + 6 && n.starts_with(name) && n.ends_with("_total")))
      continue;
    bool ok = true;
    for (const auto& [k, v] : match) {
      auto it = s.labels.find(k);
      ok = ok && it != s.labels.end() && it->second == v;
    }
    if (ok) sum = sum.value_or(0) + s.value;
  }
  return sum;
}

CollectorCounters ReadCollectorCounters(const std::vector<PromSample>& samples) {
  CollectorCounters c;
  c.scraped = true;
  for (const PromSample& s : samples) {
    if (!IsTraces(s)) continue;
    auto starts = [&](std::string_view prefix) {
      return std::string_view(s.name).starts_with(prefix) &&
             (s.name.size() == prefix.size() || s.name.substr(prefix.size()) == "_total");
    };
    auto add = [&](std::uint64_t& field) { field += Count(s.value); };
    const auto exporter = s.labels.count("exporter") ? s.labels.at("exporter") : std::string();
    if (starts("otelcol_receiver_accepted_spans")) add(c.receiver_accepted_spans);
    if (starts("otelcol_receiver_refused_spans")) add(c.receiver_refused_spans);
    if (starts("otelcol_exporter_sent_spans") && ForwardingExporter(exporter))
      add(c.exporter_sent_spans);
    if (starts("otelcol_exporter_send_failed_spans") && ForwardingExporter(exporter))
      add(c.exporter_send_failed_spans);
    if (starts("otelcol_exporter_enqueue_failed_spans") && ForwardingExporter(exporter))
      add(c.exporter_enqueue_failed_spans);
    if (starts("otelcol_exporter_queue_size") && ForwardingExporter(exporter))
      add(c.exporter_queue_size);
    // Named otelcol_processor_refused_spans before the memory limiter had its own metrics.
    if (starts("otelcol_processor_memory_limiter_refused_spans") ||
        starts("otelcol_processor_refused_spans"))
      add(c.memory_limiter_refused_spans);
    const std::string processor =
        s.labels.count("processor") ? s.labels.at("processor") : std::string();
    if (starts("otelcol_processor_incoming_items"))
      c.processor_incoming_spans[processor] += Count(s.value);
    if (starts("otelcol_processor_outgoing_items"))
      c.processor_outgoing_spans[processor] += Count(s.value);
    if (std::string_view(s.name).starts_with("otelcol_processor_tail_sampling_")) {
      c.tail_sampling = true;
      const auto sampled = s.labels.count("sampled") ? s.labels.at("sampled") : std::string();
      if (starts("otelcol_processor_tail_sampling_global_count_traces_sampled"))
        add(sampled == "true" ? c.tail_traces_sampled : c.tail_traces_not_sampled);
      if (starts("otelcol_processor_tail_sampling_new_trace_id_received")) add(c.tail_new_traces);
      if (starts("otelcol_processor_tail_sampling_sampling_traces_on_memory"))
        add(c.tail_traces_on_memory);
      if (starts("otelcol_processor_tail_sampling_sampling_trace_dropped_too_early"))
        add(c.tail_traces_dropped_too_early);
    }
  }
  return c;
}

std::optional<std::string> HttpGetLoopback(int port, const std::string& path,
                                           std::chrono::milliseconds timeout, std::string& error) {
  return HttpGet("127.0.0.1", port, path, timeout, error);
}

CollectorCounters AddCounters(const CollectorCounters& before, const CollectorCounters& now) {
  CollectorCounters c = now;
  c.scraped = before.scraped || now.scraped;
  c.receiver_accepted_spans += before.receiver_accepted_spans;
  c.receiver_refused_spans += before.receiver_refused_spans;
  c.exporter_sent_spans += before.exporter_sent_spans;
  c.exporter_send_failed_spans += before.exporter_send_failed_spans;
  c.exporter_enqueue_failed_spans += before.exporter_enqueue_failed_spans;
  c.tail_sampling = before.tail_sampling || now.tail_sampling;
  c.tail_traces_sampled += before.tail_traces_sampled;
  c.tail_new_traces += before.tail_new_traces;
  c.tail_traces_not_sampled += before.tail_traces_not_sampled;
  c.tail_traces_dropped_too_early += before.tail_traces_dropped_too_early;
  for (const auto& [k, v] : before.processor_incoming_spans) c.processor_incoming_spans[k] += v;
  for (const auto& [k, v] : before.processor_outgoing_spans) c.processor_outgoing_spans[k] += v;
  c.memory_limiter_refused_spans += before.memory_limiter_refused_spans;
  return c;
}

CollectorCounters SubtractCounters(const CollectorCounters& now, const CollectorCounters& before) {
  // A counter lower than before means the Collector restarted in between; its value now is then
  // all there is to count.
  auto minus = [](std::uint64_t a, std::uint64_t b) { return a >= b ? a - b : a; };
  CollectorCounters c = now;
  c.receiver_accepted_spans = minus(now.receiver_accepted_spans, before.receiver_accepted_spans);
  c.receiver_refused_spans = minus(now.receiver_refused_spans, before.receiver_refused_spans);
  c.exporter_sent_spans = minus(now.exporter_sent_spans, before.exporter_sent_spans);
  c.exporter_send_failed_spans =
      minus(now.exporter_send_failed_spans, before.exporter_send_failed_spans);
  c.exporter_enqueue_failed_spans =
      minus(now.exporter_enqueue_failed_spans, before.exporter_enqueue_failed_spans);
  c.tail_traces_sampled = minus(now.tail_traces_sampled, before.tail_traces_sampled);
  c.tail_new_traces = minus(now.tail_new_traces, before.tail_new_traces);
  c.tail_traces_not_sampled = minus(now.tail_traces_not_sampled, before.tail_traces_not_sampled);
  c.tail_traces_dropped_too_early =
      minus(now.tail_traces_dropped_too_early, before.tail_traces_dropped_too_early);
  for (auto& [k, v] : c.processor_incoming_spans) {
    const auto it = before.processor_incoming_spans.find(k);
    if (it != before.processor_incoming_spans.end()) v = minus(v, it->second);
  }
  for (auto& [k, v] : c.processor_outgoing_spans) {
    const auto it = before.processor_outgoing_spans.find(k);
    if (it != before.processor_outgoing_spans.end()) v = minus(v, it->second);
  }
  c.memory_limiter_refused_spans =
      minus(now.memory_limiter_refused_spans, before.memory_limiter_refused_spans);
  return c;
}

}  // namespace traceproof

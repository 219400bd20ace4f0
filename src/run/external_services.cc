#include "run/external_services.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <thread>

#include "process/http_get.h"

namespace traceproof {
namespace {

constexpr std::chrono::milliseconds kRequestTimeout{5000};
// Ground truth of a long run is large; give it time.
constexpr std::chrono::milliseconds kTruthTimeout{60000};

}  // namespace

std::optional<std::string> ResolveHost(const std::string& host, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    error = "cannot resolve '" + host + "': " + gai_strerror(rc);
    return std::nullopt;
  }
  char text[INET6_ADDRSTRLEN] = {};
  const void* addr =
      found->ai_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr)
          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(found->ai_addr)->sin6_addr);
  const bool ok = inet_ntop(found->ai_family, addr, text, sizeof text) != nullptr;
  freeaddrinfo(found);
  if (!ok) {
    error = "cannot format the address of '" + host + "'";
    return std::nullopt;
  }
  return std::string(text);
}

mock::MockServicesStats SubtractStats(const mock::MockServicesStats& now,
                                      const mock::MockServicesStats& before) {
  // A counter lower than before means serve restarted in between: count it from zero.
  auto minus = [](std::uint64_t a, std::uint64_t b) { return a >= b ? a - b : a; };
  mock::MockServicesStats d;
  d.requests = minus(now.requests, before.requests);
  d.spans_started = minus(now.spans_started, before.spans_started);
  d.spans_exported = minus(now.spans_exported, before.spans_exported);
  d.spans_dropped_queue = minus(now.spans_dropped_queue, before.spans_dropped_queue);
  d.spans_dropped_outage = minus(now.spans_dropped_outage, before.spans_dropped_outage);
  d.spans_failed_export = minus(now.spans_failed_export, before.spans_failed_export);
  d.spans_pending = now.spans_pending;
  d.messages_published = minus(now.messages_published, before.messages_published);
  d.messages_publish_failed = minus(now.messages_publish_failed, before.messages_publish_failed);
  d.messages_redelivered = minus(now.messages_redelivered, before.messages_redelivered);
  return d;
}

std::optional<mock::AdminStats> ExternalServices::FetchStats(
    std::string& error, std::chrono::milliseconds timeout) const {
  const auto body = HttpGet(spec_.admin.host, spec_.admin.port, "/stats", timeout, error);
  if (!body) return std::nullopt;
  return mock::AdminStatsFromJson(*body, error);
}

bool ExternalServices::Connect(std::string& error) {
  // Containers start in parallel: the admin endpoint may not be up yet, so keep asking.
  const auto deadline = std::chrono::steady_clock::now() + spec_.ready_timeout;
  std::optional<mock::AdminStats> stats;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    stats = FetchStats(error, std::clamp(left, std::chrono::milliseconds(100), kRequestTimeout));
    if (stats || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (!stats) {
    error = "the services' admin endpoint " + spec_.admin.Text() + " did not answer within " +
            std::to_string(spec_.ready_timeout.count()) + " ms (is `traceproof serve ... " +
            "--admin-port " + std::to_string(spec_.admin.port) + "` running?): " + error;
    return false;
  }
  baseline_ = *stats;
  for (const auto& [service, hp] : spec_.endpoints) {
    if (!baseline_.ports.empty() && !baseline_.ports.count(service)) {
      error = "services.external.endpoints names '" + service + "', but the serve process at " +
              spec_.admin.Text() + " runs no such service";
      return false;
    }
    const auto ip = ResolveHost(hp.host, error);
    if (!ip) {
      error = "service " + service + " at " + hp.Text() + ": " + error;
      return false;
    }
    addresses_[service] = *ip;
  }
  return true;
}

std::string ExternalServices::address(const std::string& service) const {
  const auto it = addresses_.find(service);
  return it == addresses_.end() ? std::string() : it->second;
}

std::uint16_t ExternalServices::port(const std::string& service) const {
  const auto it = spec_.endpoints.find(service);
  return it == spec_.endpoints.end() ? 0 : it->second.port;
}

std::optional<mock::MockServicesStats> ExternalServices::StatsSinceStart(std::string& error) const {
  const auto stats = FetchStats(error);
  if (!stats) return std::nullopt;
  return SubtractStats(stats->services, baseline_.services);
}

namespace {

// Each line of an NDJSON answer of the admin endpoint, through `parse`; nullopt with `error`
// naming the line that did not parse.
template <typename T, typename Parse>
std::optional<std::vector<T>> Lines(const std::string& body, const std::string& from,
                                    const Parse& parse, std::string& error) {
  std::vector<T> out;
  std::size_t line_no = 0;
  std::size_t begin = 0;
  while (begin < body.size()) {
    std::size_t end = body.find('\n', begin);
    if (end == std::string::npos) end = body.size();
    ++line_no;
    const std::string_view line(body.data() + begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    auto item = parse(line, error);
    if (!item) {
      error = from + ", line " + std::to_string(line_no) + ": " + error;
      return std::nullopt;
    }
    out.push_back(std::move(*item));
  }
  return out;
}

}  // namespace

std::optional<std::vector<InboundRecord>> ExternalServices::InboundSinceStart(
    std::string& error) const {
  const auto body =
      HttpGet(spec_.admin.host, spec_.admin.port,
              "/inbound?since=" + std::to_string(baseline_.now_unix_ns), kTruthTimeout, error);
  if (!body) return std::nullopt;
  return Lines<InboundRecord>(*body, "inbound records from " + spec_.admin.Text(), InboundFromJson,
                              error);
}

std::optional<std::vector<GroundTruthSpan>> ExternalServices::TruthSinceStart(
    std::string& error) const {
  const auto body =
      HttpGet(spec_.admin.host, spec_.admin.port,
              "/truth?since=" + std::to_string(baseline_.now_unix_ns), kTruthTimeout, error);
  if (!body) return std::nullopt;
  return Lines<GroundTruthSpan>(*body, "ground truth from " + spec_.admin.Text(),
                                GroundTruthFromJson, error);
}

}  // namespace traceproof

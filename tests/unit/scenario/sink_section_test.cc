// The sink tier's keys: `sink: { count: N }`, the `sink: kill` fault and the `sinks` check. A
// tier loads with its faults and gets a `sinks` check by default; each mistake is reported at
// its file:line:col with what to write instead.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "scenario/load_scenario.h"
#include "test_pki.h"

namespace traceproof {
namespace {

namespace fs = std::filesystem;

// Line 1 of the raw string (after its opening newline) is line 1 of the file. Every scenario
// goes to one folder beside a Collector config `otel.yaml`, which only has to exist.
std::string WriteScenario(const std::string& name, std::string_view text) {
  static const fs::path dir = [] {
    fs::path d =
        fs::temp_directory_path() / ("traceproof_sink_section_test_" + std::to_string(::getpid()));
    fs::create_directories(d);
    std::ofstream(d / "otel.yaml") << "receivers: {}\n";
    return d;
  }();
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  const fs::path path = dir / (name + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(SinkSection, ATierLoadsWithItsFaultsAndADefaultSinksCheck) {
  const Scenario s = LoadScenarioFile(WriteScenario("tier", R"(
name: tier
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 3 }
faults:
  - { sink: kill, index: 2, at: 4s }
  - { service: stripe, latency: 5ms }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
checks:
  - throughput: { loss: "== 0" }
)"));
  ASSERT_TRUE(s.sink);
  EXPECT_EQ(s.sink->count, 3);
  ASSERT_EQ(s.sink->faults.size(), 1u);
  EXPECT_EQ(s.sink->faults[0].index, 2);
  EXPECT_EQ(s.sink->faults[0].at, std::chrono::seconds(4));
  EXPECT_EQ(s.services.faults.size(), 1u);  // the service fault still reaches the services
  ASSERT_EQ(s.checks.size(), 2u);
  EXPECT_EQ(s.checks[1].kind, "sinks");
  EXPECT_EQ(s.checks[1].pos.line, 4);  // where the tier is: that is what adds it
}

TEST(SinkSection, AListedSinksCheckIsKeptAndNotAddedTwice) {
  const Scenario s = LoadScenarioFile(WriteScenario("listed", R"(
name: listed
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 2 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
checks:
  - sinks: { split_traces: "<= 3" }
expect: { verdict: fail, failing: [sinks] }
)"));
  ASSERT_EQ(s.checks.size(), 1u);
  EXPECT_EQ(std::get<SinksSpec>(s.checks[0].options).split_traces.text, "<= 3");
}

TEST(SinkSection, OneSinkGetsNoSinksCheck) {
  const Scenario s = LoadScenarioFile(WriteScenario("one", R"(
name: one
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 1 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)"));
  ASSERT_TRUE(s.sink);
  EXPECT_TRUE(s.checks.empty());
}

TEST(SinkSection, RequiredHeadersNeedNoTierAndTheirValuesComeFromTheEnvironment) {
  ::setenv("SINK_SECTION_TEST_TOKEN", "s3cret", 1);
  const Scenario s = LoadScenarioFile(WriteScenario("headers", R"(
name: headers
services: { preset: checkout-baseline }
sink:
  require_headers: { Authorization: "Bearer ${SINK_SECTION_TEST_TOKEN}", x-tenant: shop }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)"));
  ASSERT_TRUE(s.sink);
  EXPECT_EQ(s.sink->count, 1);
  ASSERT_EQ(s.sink->require_headers.size(), 2u);
  EXPECT_EQ(s.sink->require_headers[0].name, "authorization");
  EXPECT_EQ(s.sink->require_headers[0].value, "Bearer s3cret");
  EXPECT_EQ(s.sink->require_headers[1].name, "x-tenant");
  EXPECT_EQ(s.sink->require_headers[1].value, "shop");
  EXPECT_TRUE(s.checks.empty());
}

// A CA, the server certificate it signed and a client certificate, as files beside the
// scenarios (tls.* in the YAML names them relative to the scenario file).
const testing::TestPki& Pki() {
  static const testing::TestPki pki = [] {
    testing::TestPki p = testing::MakeTestPki();
    const fs::path dir = fs::path(WriteScenario("pki-anchor", "")).parent_path();
    std::ofstream(dir / "ca.pem") << p.ca_cert;
    std::ofstream(dir / "server.pem") << p.server_cert;
    std::ofstream(dir / "server.key") << p.server_key;
    std::ofstream(dir / "client.pem") << p.client_cert;
    std::ofstream(dir / "client.key") << p.client_key;
    std::ofstream(dir / "not-a-cert.pem") << "hello\n";
    return p;
  }();
  return pki;
}

TEST(SinkSection, TlsReadsTheFilesAndTheRunsSendersTrustTheCertificateByDefault) {
  const testing::TestPki& pki = Pki();
  const Scenario s = LoadScenarioFile(WriteScenario("tls", R"(
name: tls
services: { preset: checkout-baseline }
sink: { tls: { cert: server.pem, key: server.key } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)"));
  ASSERT_TRUE(s.sink && s.sink->tls);
  const SinkTlsSpec& tls = *s.sink->tls;
  EXPECT_EQ(tls.server.cert_chain_pem, pki.server_cert);
  EXPECT_EQ(tls.server.private_key_pem, pki.server_key);
  EXPECT_TRUE(tls.server.client_ca_pem.empty());
  EXPECT_EQ(tls.client.ca_pem, pki.server_cert);
  EXPECT_TRUE(tls.ca_file.ends_with("/server.pem")) << tls.ca_file;
  EXPECT_EQ(tls.client.server_name, "localhost");
  EXPECT_TRUE(tls.client.cert_chain_pem.empty());
}

TEST(SinkSection, MutualTlsGivesTheRunsSendersTheirClientCertificate) {
  const testing::TestPki& pki = Pki();
  const Scenario s = LoadScenarioFile(WriteScenario("mtls", R"(
name: mtls
services: { preset: checkout-baseline }
sink:
  tls: { cert: server.pem, key: server.key, client_ca: ca.pem, ca: ca.pem,
         client_cert: client.pem, client_key: client.key, server_name: 127.0.0.1 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)"));
  ASSERT_TRUE(s.sink && s.sink->tls);
  const SinkTlsSpec& tls = *s.sink->tls;
  EXPECT_EQ(tls.server.client_ca_pem, pki.ca_cert);
  EXPECT_EQ(tls.client.ca_pem, pki.ca_cert);
  EXPECT_EQ(tls.client.cert_chain_pem, pki.client_cert);
  EXPECT_EQ(tls.client.private_key_pem, pki.client_key);
  EXPECT_TRUE(tls.client_key_file.ends_with("/client.key")) << tls.client_key_file;
  EXPECT_EQ(tls.client.server_name, "127.0.0.1");
}

struct Mistake {
  std::string name;
  std::string yaml;
  std::string position;  // "LINE:COL"
  std::string message;   // a substring
};

void PrintTo(const Mistake& m, std::ostream* os) { *os << m.name; }

class SinkMistake : public ::testing::TestWithParam<Mistake> {};

TEST_P(SinkMistake, IsReportedAtItsPosition) {
  Pki();  // the tls mistakes name its files
  const Mistake& m = GetParam();
  const std::string path = WriteScenario(m.name, m.yaml);
  try {
    LoadScenarioFile(path);
    FAIL() << "loaded without error:\n" << m.yaml;
  } catch (const LoadError& e) {
    const std::string what = e.what();
    EXPECT_TRUE(what.starts_with(path + ":" + m.position + ": "))
        << "want position " << m.position << ", got: " << what;
    EXPECT_NE(what.find(m.message), std::string::npos)
        << "want message containing \"" << m.message << "\", got: " << what;
  }
}

// clang-format off
const Mistake kMistakes[] = {
    {"TlsFileMissing", R"(
name: t
services: { preset: checkout-baseline }
sink: { tls: { cert: missing.pem, key: server.key } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:22", "tls.cert"},
    {"TlsNotACertificate", R"(
name: t
services: { preset: checkout-baseline }
sink: { tls: { cert: not-a-cert.pem, key: server.key } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:14", "tls: TLS certificate"},
    {"TlsKeyOfAnotherCertificate", R"(
name: t
services: { preset: checkout-baseline }
sink: { tls: { cert: server.pem, key: client.key } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:14", "tls: TLS key"},
    {"TlsWithoutKey", R"(
name: t
services: { preset: checkout-baseline }
sink: { tls: { cert: server.pem } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:14", "'tls' needs 'cert' and 'key'"},
    {"TlsClientCaWithoutClientCertificate", R"(
name: t
services: { preset: checkout-baseline }
sink: { tls: { cert: server.pem, key: server.key, client_ca: ca.pem } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:14", "give 'client_cert' and 'client_key'"},
    {"TlsUnknownKey", R"(
name: t
services: { preset: checkout-baseline }
sink: { tls: { cert: server.pem, key: server.key, certificate: x } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:51", "certificate"},
    {"TlsWithSpanLoadAndNoCollector", R"(
name: t
services: { preset: checkout-baseline }
sink: { tls: { cert: server.pem, key: server.key } }
load: [ { spans: { per_request: 10, per_trace: 5 }, rate: 1/s, duration: 1s } ]
)", "3:14", "span load cannot reach a TLS sink"},
    {"TlsWithATier", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 2, tls: { cert: server.pem, key: server.key } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "4:24", "'tls' is for one embedded sink"},
    {"CountTooLarge", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 17 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "4:16", "'count' is 17, want 1..16"},
    {"CountZero", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 0 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "4:16", "want 1..16"},
    {"CountNotANumber", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: three }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "4:16", "want an integer for 'count'"},
    {"CountMissing", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: {}
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "4:7", "'sink' needs 'count'"},
    {"UnknownKey", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { cuont: 3 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "4:9", "did you mean 'count'"},
    {"WithoutCollector", R"(
name: t
services: { preset: checkout-baseline }
sink: { count: 3 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:7", "'sink' needs a Collector in front of the sinks"},
    {"WithAnExternalCollector", R"(
name: t
services: { preset: checkout-baseline }
collector: { endpoint: "127.0.0.1:4317", metrics: "http://127.0.0.1:8888/metrics" }
sink: { count: 3 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "4:7", "'sink' needs the Collector traceproof starts"},
    {"FaultWithoutATier", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
faults:
  - { sink: kill, index: 0, at: 2s }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "5:5", "a 'sink:' fault needs a sink tier"},
    {"FaultIndexOutOfTheTier", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 3 }
faults:
  - { sink: kill, index: 3, at: 2s }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "6:5", "sink fault names sink 3, but the tier has 3 (indexes 0..2)"},
    {"FaultWithoutIndex", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 3 }
faults:
  - { sink: kill, at: 2s }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "6:5", "sink fault needs 'index'"},
    {"FaultUnknownKind", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 3 }
faults:
  - { sink: pause, index: 1, at: 2s }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "6:13", "unknown sink fault 'pause'; expected one of: kill"},
    {"FaultTwiceOnOneSink", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 3 }
faults:
  - { sink: kill, index: 1, at: 2s }
  - { sink: kill, index: 1, at: 3s }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "7:5", "sink 1 is killed twice"},
    {"SinksCheckWithoutATier", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
checks:
  - sinks: {}
)", "6:5", "a 'sinks' check judges a sink tier"},
    {"SinksCheckUnknownOption", R"(
name: t
services: { preset: checkout-baseline }
collector: { config: otel.yaml }
sink: { count: 2 }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
checks:
  - sinks: { split: "== 0" }
)", "7:14", "unknown key 'split' in the sinks check; expected one of: idle_sinks, split_traces"},
    {"RequiredHeaderFromAnUnsetVariable", R"(
name: t
services: { preset: checkout-baseline }
sink:
  require_headers: { authorization: "Bearer ${SINK_SECTION_TEST_UNSET}" }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "4:37", "require_headers: authorization: ${SINK_SECTION_TEST_UNSET} is not set: export it"},
    {"RequiredHeaderEmpty", R"(
name: t
services: { preset: checkout-baseline }
sink: { require_headers: { x-api-key: "" } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:39", "require_headers: x-api-key: the required value is empty"},
    {"RequiredHeaderBadName", R"(
name: t
services: { preset: checkout-baseline }
sink: { require_headers: { "x api": v } }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:37", "not a valid HTTP field name"},
    {"RequiredHeadersNone", R"(
name: t
services: { preset: checkout-baseline }
sink: { require_headers: {} }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:26", "'require_headers' is empty"},
    {"RequiredHeadersNotAMap", R"(
name: t
services: { preset: checkout-baseline }
sink: { require_headers: "authorization=Bearer x" }
load: [ { route: "gateway POST /checkout", rate: 1/s, duration: 1s } ]
)", "3:26", "require_headers"},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(All, SinkMistake, ::testing::ValuesIn(kMistakes),
                         [](const ::testing::TestParamInfo<Mistake>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace traceproof

// OTEL_EXPORTER_OTLP_* as the specification reads them, over a fake environment.
#include "tracing/otlp_env.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace traceproof {
namespace {

class FakeEnv {
 public:
  explicit FakeEnv(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  GetEnvFn fn() const {
    return [this](const char* name) -> const char* {
      auto it = vars_.find(name);
      return it == vars_.end() ? nullptr : it->second.c_str();
    };
  }

 private:
  std::map<std::string, std::string> vars_;
};

OtlpExportSettings Settings(std::map<std::string, std::string> vars,
                            std::optional<bool> grpc = std::nullopt) {
  FakeEnv env(std::move(vars));
  std::string error;
  auto s = OtlpSettingsFromEnv(env.fn(), grpc, error);
  EXPECT_TRUE(s) << error;
  return s.value_or(OtlpExportSettings{});
}

std::string Error(std::map<std::string, std::string> vars) {
  FakeEnv env(std::move(vars));
  std::string error;
  EXPECT_FALSE(OtlpSettingsFromEnv(env.fn(), std::nullopt, error));
  return error;
}

TEST(OtlpEnv, WithoutVariablesTheSpecificationsDefaultsPerProtocol) {
  const auto grpc = Settings({});
  EXPECT_EQ(grpc.endpoint.Url(), "http://localhost:4317");
  EXPECT_TRUE(grpc.endpoint.grpc);
  const auto http = Settings({{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"}});
  EXPECT_EQ(http.endpoint.Url(), "http://localhost:4318/v1/traces");
  EXPECT_EQ(http.timeout, std::chrono::milliseconds(10000));
  EXPECT_FALSE(http.gzip);
  EXPECT_TRUE(http.headers.empty());
}

TEST(OtlpEnv, TheGenericEndpointGetsTheSignalPathTheTracesOneIsUsedAsItIs) {
  const std::string kHttp = "http/protobuf";
  EXPECT_EQ(Settings({{"OTEL_EXPORTER_OTLP_PROTOCOL", kHttp},
                      {"OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318/base/"}})
                .endpoint.Url(),
            "https://collector:4318/base/v1/traces");
  EXPECT_EQ(Settings({{"OTEL_EXPORTER_OTLP_PROTOCOL", kHttp},
                      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:1"},
                      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:2/custom"}})
                .endpoint.Url(),
            "http://b:2/custom");
  EXPECT_EQ(Settings({{"OTEL_EXPORTER_OTLP_PROTOCOL", kHttp},
                      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:2"}})
                .endpoint.path,
            "/");
  // The default port of the scheme when none is given.
  EXPECT_EQ(Settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://ingest.example"}}).endpoint.port,
            443);
}

TEST(OtlpEnv, TracesVariablesWinOverGenericOnesOptionByOption) {
  const auto s = Settings({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                           {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"},
                           {"OTEL_EXPORTER_OTLP_HEADERS", "a=1"},
                           {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"},
                           {"OTEL_EXPORTER_OTLP_TIMEOUT", "500"},
                           {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
                           {"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "none"},
                           {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/generic.pem"},
                           {"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/traces.pem"}});
  EXPECT_FALSE(s.endpoint.grpc);
  ASSERT_EQ(s.headers.size(), 1u);
  EXPECT_EQ(s.headers[0].first, "b");
  EXPECT_EQ(s.timeout, std::chrono::milliseconds(500));  // no TRACES_ one: the generic
  EXPECT_FALSE(s.gzip);
  EXPECT_EQ(s.ca_file, "/traces.pem");
  EXPECT_EQ(s.ca_from, "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE");
}

TEST(OtlpEnv, AProtocolChosenByAFlagDecidesHowTheEndpointIsRead) {
  const auto s = Settings(
      {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}},
      false);
  EXPECT_FALSE(s.endpoint.grpc);
  EXPECT_EQ(s.endpoint.Url(), "http://c:4318/v1/traces");
}

TEST(OtlpEnv, HttpsMeansTlsAndABareGrpcEndpointIsTlsUnlessInsecure) {
  EXPECT_TRUE(Settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c:4317"}}).endpoint.tls);
  EXPECT_FALSE(Settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}}).endpoint.tls);
  EXPECT_TRUE(Settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "c:4317"}}).endpoint.tls);
  EXPECT_FALSE(
      Settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "c:4317"}, {"OTEL_EXPORTER_OTLP_INSECURE", "TRUE"}})
          .endpoint.tls);
  // _INSECURE only applies without a scheme.
  EXPECT_TRUE(Settings({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c:4317"},
                        {"OTEL_EXPORTER_OTLP_INSECURE", "true"}})
                  .endpoint.tls);
}

TEST(OtlpEnv, HeadersArePercentDecodedWithLowerCaseNames) {
  const auto s =
      Settings({{"OTEL_EXPORTER_OTLP_HEADERS", " Authorization=Bearer%20abc%3D , x-tenant=t1,"}});
  ASSERT_EQ(s.headers.size(), 2u);
  EXPECT_EQ(s.headers[0], std::make_pair(std::string("authorization"), std::string("Bearer abc=")));
  EXPECT_EQ(s.headers[1], std::make_pair(std::string("x-tenant"), std::string("t1")));
}

TEST(OtlpEnv, ABadHeaderEntryIsNamedByPositionNeverByValue) {
  const std::string error = Error({{"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "a=1,secret-token"}});
  EXPECT_NE(error.find("OTEL_EXPORTER_OTLP_TRACES_HEADERS: entry 2"), std::string::npos) << error;
  EXPECT_EQ(error.find("secret-token"), std::string::npos) << error;
  EXPECT_NE(Error({{"OTEL_EXPORTER_OTLP_HEADERS", "a=%zz"}}).find("entry 1"), std::string::npos);
  EXPECT_NE(Error({{"OTEL_EXPORTER_OTLP_HEADERS", "a b=1"}}).find("entry 1"), std::string::npos);
}

TEST(OtlpEnv, EveryBadValueNamesItsVariable) {
  const std::map<std::string, std::string> cases[] = {
      {{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}},
      {{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://c:1"}},
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", "c:99999"}},
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", "c"}},
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1:4317"}},
      {{"OTEL_EXPORTER_OTLP_INSECURE", "yes"}},
      {{"OTEL_EXPORTER_OTLP_TIMEOUT", "10s"}},
      {{"OTEL_EXPORTER_OTLP_TIMEOUT", "0"}},
      {{"OTEL_EXPORTER_OTLP_TIMEOUT", "99999999999999999999"}},
      {{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "86400001"}},
      {{"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"}},
  };
  for (const auto& vars : cases) {
    const std::string error = Error(vars);
    EXPECT_EQ(error.rfind(vars.begin()->first, 0), 0u) << error;
  }
}

TEST(OtlpEnv, AnEmptyVariableIsUnset) {
  EXPECT_EQ(Settings({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""},
                      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:1"}})
                .endpoint.Url(),
            "http://g:1");
}

TEST(OtlpEndpointFlag, AFlagWithoutSchemeIsPlainTextForBothProtocols) {
  std::string error;
  auto grpc = ParseOtlpEndpointFlag("--otlp-endpoint", "127.0.0.1:4317", true, error);
  ASSERT_TRUE(grpc) << error;
  EXPECT_FALSE(grpc->tls);
  auto v6 = ParseOtlpEndpointFlag("--otlp-endpoint", "https://[::1]:4318", false, error);
  ASSERT_TRUE(v6) << error;
  EXPECT_TRUE(v6->tls);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->HostPort(), "[::1]:4318");
  EXPECT_EQ(v6->Url(), "https://[::1]:4318/v1/traces");
  EXPECT_FALSE(ParseOtlpEndpointFlag("--forward-to", "jaeger", true, error));
  EXPECT_EQ(error.rfind("--forward-to 'jaeger'", 0), 0u) << error;
}

}  // namespace
}  // namespace traceproof

#include "otlp/gzip.h"

#include <gtest/gtest.h>

namespace traceproof {
namespace {

TEST(Gzip, RoundTrips) {
  std::string raw(100000, 'x');
  for (std::size_t i = 0; i < raw.size(); i += 7) raw[i] = static_cast<char>(i);
  GunzipResult r = Gunzip(Gzip(raw), raw.size());
  ASSERT_EQ(r.status, GunzipStatus::kOk) << r.error;
  EXPECT_EQ(r.bytes, raw);
}

TEST(Gzip, BombStopsAtTheLimitWithoutInflatingEverything) {
  std::string bomb = Gzip(std::string(64u << 20, '\0'));  // 64 MiB of zeros, ~64 KiB compressed
  GunzipResult r = Gunzip(bomb, 1u << 20);
  EXPECT_EQ(r.status, GunzipStatus::kTooLarge);
  EXPECT_TRUE(r.bytes.empty());
}

TEST(Gzip, CorruptAndTruncatedStreamsAreErrors) {
  std::string z = Gzip("hello world, hello world");
  EXPECT_EQ(Gunzip(z.substr(0, z.size() - 6), 1000).status, GunzipStatus::kCorrupt);
  EXPECT_EQ(Gunzip("not gzip at all", 1000).status, GunzipStatus::kCorrupt);
}

}  // namespace
}  // namespace traceproof

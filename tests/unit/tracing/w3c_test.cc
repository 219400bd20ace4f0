#include "tracing/w3c.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace traceproof::w3c {
namespace {

constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kSpanId[] = "00f067aa0ba902b7";
constexpr char kValid[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

std::string Traceparent(std::string_view version, std::string_view trace_id,
                        std::string_view span_id, std::string_view flags) {
  std::string out(version);
  out.append("-").append(trace_id).append("-").append(span_id).append("-").append(flags);
  return out;
}

// An in-memory carrier, like an HTTP request's header map with lowercase names.
struct Carrier {
  std::map<std::string, std::string, std::less<>> headers;
  std::vector<std::string> asked;

  HeaderGetter Getter() {
    return [this](std::string_view name) -> std::optional<std::string_view> {
      asked.emplace_back(name);
      auto it = headers.find(name);
      if (it == headers.end()) return std::nullopt;
      return std::string_view(it->second);
    };
  }
  HeaderSetter Setter() {
    return [this](std::string_view name, std::string_view value) {
      headers[std::string(name)] = std::string(value);
    };
  }
};

std::string Members(int count, int first = 0) {
  std::string out;
  for (int i = first; i < first + count; ++i) {
    if (!out.empty()) out.push_back(',');
    out += "k" + std::to_string(i) + "=v" + std::to_string(i);
  }
  return out;
}

// ---- traceparent ----

TEST(W3cTraceparent, ValidVersion00RoundTrips) {
  std::optional<SpanContext> context = ParseTraceparent(kValid);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->trace_id.Hex(), kTraceId);
  EXPECT_EQ(context->span_id.Hex(), kSpanId);
  EXPECT_EQ(context->trace_flags, 0x01);
  EXPECT_TRUE(context->sampled());
  EXPECT_TRUE(context->is_remote);
  EXPECT_EQ(context->trace_state, "");
  EXPECT_EQ(FormatTraceparent(*context), kValid);
}

TEST(W3cTraceparent, UnsampledFlagsRoundTrip) {
  const std::string header = Traceparent("00", kTraceId, kSpanId, "00");
  std::optional<SpanContext> context = ParseTraceparent(header);
  ASSERT_TRUE(context.has_value());
  EXPECT_FALSE(context->sampled());
  EXPECT_EQ(FormatTraceparent(*context), header);
}

TEST(W3cTraceparent, ReservedFlagBitsAreStoredButOnlyTheSampledBitIsFormatted) {
  std::optional<SpanContext> all = ParseTraceparent(Traceparent("00", kTraceId, kSpanId, "ff"));
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->trace_flags, 0xff);
  EXPECT_EQ(FormatTraceparent(*all), Traceparent("00", kTraceId, kSpanId, "01"));

  std::optional<SpanContext> reserved =
      ParseTraceparent(Traceparent("00", kTraceId, kSpanId, "02"));
  ASSERT_TRUE(reserved.has_value());
  EXPECT_EQ(reserved->trace_flags, 0x02);
  EXPECT_FALSE(reserved->sampled());
  EXPECT_EQ(FormatTraceparent(*reserved), Traceparent("00", kTraceId, kSpanId, "00"));
}

TEST(W3cTraceparent, UppercaseHexInTraceIdIsInvalid) {
  EXPECT_FALSE(
      ParseTraceparent(Traceparent("00", "4BF92F3577B34DA6A3CE929D0E0E4736", kSpanId, "01")));
  EXPECT_FALSE(
      ParseTraceparent(Traceparent("00", "4bf92f3577b34da6a3ce929d0e0e473A", kSpanId, "01")));
}

TEST(W3cTraceparent, UppercaseHexInParentIdIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("00", kTraceId, "00F067AA0BA902B7", "01")));
}

TEST(W3cTraceparent, UppercaseHexInFlagsIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("00", kTraceId, kSpanId, "0A")));
}

TEST(W3cTraceparent, UppercaseHexInVersionIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("CC", kTraceId, kSpanId, "01")));
}

TEST(W3cTraceparent, VersionFfIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("ff", kTraceId, kSpanId, "01")));
}

TEST(W3cTraceparent, NonHexVersionIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("0g", kTraceId, kSpanId, "01")));
}

TEST(W3cTraceparent, FutureVersionWithVersion00LengthIsValid) {
  std::optional<SpanContext> context = ParseTraceparent(Traceparent("cc", kTraceId, kSpanId, "01"));
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->trace_id.Hex(), kTraceId);
  EXPECT_EQ(context->span_id.Hex(), kSpanId);
  EXPECT_TRUE(context->sampled());
  // We propagate in the version we speak.
  EXPECT_EQ(FormatTraceparent(*context), kValid);
}

TEST(W3cTraceparent, FutureVersionWithDashSuffixIsValid) {
  std::optional<SpanContext> context =
      ParseTraceparent(Traceparent("cc", kTraceId, kSpanId, "01") + "-what-the-future-holds");
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->trace_id.Hex(), kTraceId);
  EXPECT_EQ(context->span_id.Hex(), kSpanId);
  EXPECT_EQ(context->trace_flags, 0x01);
}

TEST(W3cTraceparent, FutureVersionWithExtraCharsWithoutDashIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("cc", kTraceId, kSpanId, "01") + "suffix"));
  EXPECT_FALSE(ParseTraceparent(Traceparent("cc", kTraceId, kSpanId, "01") + ".x"));
}

TEST(W3cTraceparent, FutureVersionShorterThanVersion00IsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("cc", kTraceId, kSpanId, "1")));
}

TEST(W3cTraceparent, Version00WithExtraCharsIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(std::string(kValid) + "-suffix"));
  EXPECT_FALSE(ParseTraceparent(std::string(kValid) + "x"));
  EXPECT_FALSE(ParseTraceparent(std::string(kValid) + "-"));
}

TEST(W3cTraceparent, AllZeroTraceIdIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("00", std::string(32, '0'), kSpanId, "01")));
}

TEST(W3cTraceparent, AllZeroParentIdIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(Traceparent("00", kTraceId, std::string(16, '0'), "01")));
}

TEST(W3cTraceparent, WrongFieldLengthsAreInvalid) {
  // Each keeps the total at 55 characters so only the field boundaries are wrong.
  EXPECT_FALSE(ParseTraceparent("000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"));
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e47360-0f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-701"));
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b701-"));
  // And these are simply too short or too long.
  EXPECT_FALSE(ParseTraceparent(Traceparent("0", kTraceId, kSpanId, "01")));
  EXPECT_FALSE(ParseTraceparent(Traceparent("00", kTraceId, kSpanId, "1")));
  EXPECT_FALSE(ParseTraceparent(Traceparent("00", kTraceId, kSpanId, "001")));
  EXPECT_FALSE(ParseTraceparent(Traceparent("00", std::string(kTraceId) + "0", kSpanId, "01")));
  EXPECT_FALSE(ParseTraceparent(Traceparent("00", kTraceId, "00f067aa0ba902b", "01")));
}

TEST(W3cTraceparent, WrongDelimiterIsInvalid) {
  EXPECT_FALSE(ParseTraceparent("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01"));
}

TEST(W3cTraceparent, EmptyIsInvalid) {
  EXPECT_FALSE(ParseTraceparent(""));
  EXPECT_FALSE(ParseTraceparent(" \t "));
}

TEST(W3cTraceparent, SurroundingOwsIsTrimmed) {
  std::optional<SpanContext> context = ParseTraceparent(std::string(" \t") + kValid + "\t  ");
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(FormatTraceparent(*context), kValid);
}

TEST(W3cTraceparent, InnerWhitespaceIsInvalid) {
  EXPECT_FALSE(ParseTraceparent("00- 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

// ---- tracestate ----

TEST(W3cTracestate, ThirtyTwoMembersAreValid) {
  const std::string header = Members(32);
  EXPECT_EQ(ParseTracestate(header), header);
}

TEST(W3cTracestate, ThirtyThreeMembersAreInvalid) {
  EXPECT_EQ(ParseTracestate(Members(33)), std::nullopt);
}

TEST(W3cTracestate, EmptyMembersDoNotCountTowardTheLimit) {
  EXPECT_EQ(ParseTracestate(Members(32) + ",,,"), Members(32));
}

TEST(W3cTracestate, DuplicateKeyIsInvalid) {
  EXPECT_EQ(ParseTracestate("foo=1,bar=2,foo=3"), std::nullopt);
}

TEST(W3cTracestate, MultiTenantKeyIsValid) {
  EXPECT_EQ(ParseTracestate("tenant@system=v1,0tenant@s-y_s*t/m=v2"),
            "tenant@system=v1,0tenant@s-y_s*t/m=v2");
}

TEST(W3cTracestate, MultiTenantKeyLimitsAreEnforced) {
  EXPECT_TRUE(ParseTracestate(std::string(241, 't') + "@" + std::string(14, 's') + "=v"));
  EXPECT_FALSE(ParseTracestate(std::string(242, 't') + "@s=v"));
  EXPECT_FALSE(ParseTracestate("t@" + std::string(15, 's') + "=v"));
  EXPECT_FALSE(ParseTracestate("t@0sys=v"));  // system id must start with a letter
  EXPECT_FALSE(ParseTracestate("@sys=v"));
  EXPECT_FALSE(ParseTracestate("t@=v"));
  EXPECT_FALSE(ParseTracestate("t@s@x=v"));
}

TEST(W3cTracestate, UppercaseKeyIsInvalid) {
  EXPECT_EQ(ParseTracestate("Foo=bar"), std::nullopt);
  EXPECT_EQ(ParseTracestate("fOo=bar"), std::nullopt);
}

TEST(W3cTracestate, SimpleKeyStartingWithDigitIsInvalid) {
  EXPECT_EQ(ParseTracestate("1foo=bar"), std::nullopt);
}

TEST(W3cTracestate, SimpleKeyLongerThan256IsInvalid) {
  const std::string key256 = "k" + std::string(255, 'a');
  EXPECT_EQ(ParseTracestate(key256 + "=v"), key256 + "=v");
  EXPECT_EQ(ParseTracestate(key256 + "a=v"), std::nullopt);
}

TEST(W3cTracestate, ValueWithEqualsIsInvalid) {
  EXPECT_EQ(ParseTracestate("foo=bar=baz"), std::nullopt);
}

TEST(W3cTracestate, ValueOutsidePrintableAsciiOrEmptyIsInvalid) {
  EXPECT_EQ(ParseTracestate("foo="), std::nullopt);
  EXPECT_EQ(ParseTracestate("foo=a\x7f"), std::nullopt);
  EXPECT_EQ(ParseTracestate("foo=a\tb"), std::nullopt);
  EXPECT_EQ(ParseTracestate("foo"), std::nullopt);
}

TEST(W3cTracestate, ValueOf256CharsIsValidAnd257IsInvalid) {
  EXPECT_EQ(ParseTracestate("foo=" + std::string(256, 'v')), "foo=" + std::string(256, 'v'));
  EXPECT_EQ(ParseTracestate("foo=" + std::string(257, 'v')), std::nullopt);
}

TEST(W3cTracestate, ValueMayHoldInnerSpaces) { EXPECT_EQ(ParseTracestate("foo= a b"), "foo= a b"); }

TEST(W3cTracestate, OneInvalidMemberInvalidatesTheWholeHeader) {
  EXPECT_EQ(ParseTracestate("foo=1,BAR=2,baz=3"), std::nullopt);
}

TEST(W3cTracestate, EmptyMembersAreSkipped) {
  EXPECT_EQ(ParseTracestate(",foo=1,,bar=2,"), "foo=1,bar=2");
  EXPECT_EQ(ParseTracestate(""), "");
  EXPECT_EQ(ParseTracestate(" , ,\t"), "");
}

TEST(W3cTracestate, OwsAroundMembersIsNormalized) {
  EXPECT_EQ(ParseTracestate(" foo=1 ,\tbar=2\t, baz=3 "), "foo=1,bar=2,baz=3");
}

TEST(W3cTracestate, MultipleHeadersJoinedWithCommaAreHandled) {
  const std::string first = "foo=1,bar=2";
  const std::string second = "baz=3";
  EXPECT_EQ(ParseTracestate(first + "," + second), "foo=1,bar=2,baz=3");
  // A key repeated across the two headers is still a duplicate.
  EXPECT_EQ(ParseTracestate(first + ",foo=4"), std::nullopt);
  // And the member limit covers both headers together.
  EXPECT_EQ(ParseTracestate(Members(20) + "," + Members(13, 20)), std::nullopt);
}

// ---- baggage ----

TEST(W3cBaggage, PercentEncodedValuesAreDecoded) {
  Baggage baggage = ParseBaggage("user=J%C3%B6rg%20M%2C%3B%25,k2=a%2fb");
  ASSERT_EQ(baggage.entries.size(), 2u);
  EXPECT_EQ(baggage.entries[0].key, "user");
  EXPECT_EQ(baggage.entries[0].value, "J\xC3\xB6rg M,;%");
  EXPECT_EQ(baggage.entries[1].value, "a/b");
}

TEST(W3cBaggage, PropertiesAreKeptRaw) {
  Baggage baggage = ParseBaggage("key=value;prop1;prop2=x, key2=value2");
  ASSERT_EQ(baggage.entries.size(), 2u);
  EXPECT_EQ(baggage.entries[0].key, "key");
  EXPECT_EQ(baggage.entries[0].value, "value");
  EXPECT_EQ(baggage.entries[0].properties, ";prop1;prop2=x");
  EXPECT_EQ(baggage.entries[1].key, "key2");
  EXPECT_EQ(baggage.entries[1].value, "value2");
  EXPECT_EQ(baggage.entries[1].properties, "");
  EXPECT_EQ(FormatBaggage(baggage), "key=value;prop1;prop2=x,key2=value2");
}

TEST(W3cBaggage, OwsAroundMembersKeysAndValuesIsTrimmed) {
  Baggage baggage = ParseBaggage(" \tk1 = v1 ,k2\t=\tv2\t");
  ASSERT_EQ(baggage.entries.size(), 2u);
  EXPECT_EQ(baggage.entries[0].key, "k1");
  EXPECT_EQ(baggage.entries[0].value, "v1");
  EXPECT_EQ(baggage.entries[1].key, "k2");
  EXPECT_EQ(baggage.entries[1].value, "v2");
}

TEST(W3cBaggage, EmptyValueIsAllowed) {
  Baggage baggage = ParseBaggage("k=");
  ASSERT_EQ(baggage.entries.size(), 1u);
  EXPECT_EQ(baggage.entries[0].value, "");
}

TEST(W3cBaggage, SixtyFourMembersAreKeptAndTheSixtyFifthIsDropped) {
  Baggage baggage = ParseBaggage(Members(65));
  ASSERT_EQ(baggage.entries.size(), 64u);
  EXPECT_EQ(baggage.entries.front().key, "k0");
  EXPECT_EQ(baggage.entries.back().key, "k63");

  Baggage many;
  for (int i = 0; i < 65; ++i) many.entries.push_back({"k" + std::to_string(i), "v", ""});
  Baggage reparsed = ParseBaggage(FormatBaggage(many));
  ASSERT_EQ(reparsed.entries.size(), 64u);
  EXPECT_EQ(reparsed.entries.back().key, "k63");
}

TEST(W3cBaggage, FormatDropsMembersThatWouldExceed8192Bytes) {
  Baggage baggage;
  for (int i = 0; i < 10; ++i) {
    baggage.entries.push_back({"k" + std::to_string(i), std::string(1000, 'v'), ""});
  }
  baggage.entries.push_back({"z", "1", ""});  // small enough to fit after the big ones
  const std::string header = FormatBaggage(baggage);
  EXPECT_LE(header.size(), 8192u);
  Baggage reparsed = ParseBaggage(header);
  // 8 members of 1003 bytes plus separators make 8031 bytes; a 9th would make 9035.
  ASSERT_EQ(reparsed.entries.size(), 9u);
  EXPECT_EQ(reparsed.entries[7].key, "k7");
  EXPECT_EQ(reparsed.entries[8].key, "z");
}

TEST(W3cBaggage, FormatCountsPercentEncodingTowardTheByteLimit) {
  Baggage baggage;
  baggage.entries.push_back({"k", std::string(3000, ' '), ""});  // 9000 bytes once encoded
  EXPECT_EQ(FormatBaggage(baggage), "");
}

TEST(W3cBaggage, ParseOfOversizedHeaderKeepsOnlyMembersWithinTheFirst8192Bytes) {
  const std::string first = "a=" + std::string(8190, 'x');  // ends exactly at byte 8192
  Baggage baggage = ParseBaggage(first + ",b=1");
  ASSERT_EQ(baggage.entries.size(), 1u);
  EXPECT_EQ(baggage.entries[0].key, "a");

  Baggage straddling = ParseBaggage("c=1," + std::string("a=") + std::string(8190, 'x'));
  ASSERT_EQ(straddling.entries.size(), 1u);
  EXPECT_EQ(straddling.entries[0].key, "c");
}

TEST(W3cBaggage, InvalidMemberIsSkippedWhileOthersAreKept) {
  Baggage baggage = ParseBaggage("a=1,bad key=2,b=%zz,c,d=3,e=x\"y,=4,f=%4,g=back\\slash,h=ok;p");
  ASSERT_EQ(baggage.entries.size(), 3u);
  EXPECT_EQ(baggage.entries[0].key, "a");
  EXPECT_EQ(baggage.entries[1].key, "d");
  EXPECT_EQ(baggage.entries[2].key, "h");
  EXPECT_EQ(baggage.entries[2].properties, ";p");
}

TEST(W3cBaggage, FormatPercentEncodesOutsideBaggageOctetsAndPercent) {
  Baggage baggage;
  baggage.entries.push_back({"k", "a b,c;d%e\"f\\g\xC3\xA9/=", ""});
  EXPECT_EQ(FormatBaggage(baggage), "k=a%20b%2Cc%3Bd%25e%22f%5Cg%C3%A9/=");
}

TEST(W3cBaggage, FormatSkipsEntriesWhoseKeyIsNotAToken) {
  Baggage baggage;
  baggage.entries.push_back({"bad key", "1", ""});
  baggage.entries.push_back({"", "2", ""});
  baggage.entries.push_back({"good", "3", ""});
  EXPECT_EQ(FormatBaggage(baggage), "good=3");
}

TEST(W3cBaggage, EmptyBaggageFormatsAsEmptyString) {
  EXPECT_EQ(FormatBaggage(Baggage{}), "");
  EXPECT_TRUE(ParseBaggage("").entries.empty());
  EXPECT_TRUE(ParseBaggage(" , ,").entries.empty());
}

TEST(W3cBaggage, RoundTrip) {
  Baggage baggage;
  baggage.entries.push_back({"user.id", "J\xC3\xB6rg, 100%", ""});
  baggage.entries.push_back({"tenant", "a=b;c", ";ttl=60;sensitive"});
  baggage.entries.push_back({"empty", "", ""});
  Baggage reparsed = ParseBaggage(FormatBaggage(baggage));
  ASSERT_EQ(reparsed.entries.size(), baggage.entries.size());
  for (std::size_t i = 0; i < baggage.entries.size(); ++i) {
    EXPECT_EQ(reparsed.entries[i].key, baggage.entries[i].key);
    EXPECT_EQ(reparsed.entries[i].value, baggage.entries[i].value);
    EXPECT_EQ(reparsed.entries[i].properties, baggage.entries[i].properties);
  }
}

// ---- Extract / Inject ----

TEST(W3cExtract, ValidTraceparentAndTracestateGiveARemoteParent) {
  Carrier carrier;
  carrier.headers["traceparent"] = kValid;
  carrier.headers["tracestate"] = " foo=1 , bar=2";
  Extracted extracted = Extract(carrier.Getter());
  ASSERT_TRUE(extracted.parent.has_value());
  EXPECT_EQ(extracted.parent->trace_id.Hex(), kTraceId);
  EXPECT_TRUE(extracted.parent->is_remote);
  EXPECT_EQ(extracted.parent->trace_state, "foo=1,bar=2");
}

TEST(W3cExtract, InvalidTraceparentGivesNoParentAndIgnoresAValidTracestate) {
  Carrier carrier;
  carrier.headers["traceparent"] = Traceparent("00", kTraceId, "00F067AA0BA902B7", "01");
  carrier.headers["tracestate"] = "foo=1";
  Extracted extracted = Extract(carrier.Getter());
  EXPECT_FALSE(extracted.parent.has_value());
  EXPECT_EQ(std::count(carrier.asked.begin(), carrier.asked.end(), "tracestate"), 0);
}

TEST(W3cExtract, InvalidTracestateLeavesTheParentWithEmptyTraceState) {
  Carrier carrier;
  carrier.headers["traceparent"] = kValid;
  carrier.headers["tracestate"] = "foo=1,foo=2";
  Extracted extracted = Extract(carrier.Getter());
  ASSERT_TRUE(extracted.parent.has_value());
  EXPECT_EQ(extracted.parent->trace_state, "");
}

TEST(W3cExtract, MissingHeadersGiveNoParentAndNoBaggage) {
  Carrier carrier;
  Extracted extracted = Extract(carrier.Getter());
  EXPECT_FALSE(extracted.parent.has_value());
  EXPECT_TRUE(extracted.baggage.entries.empty());
}

TEST(W3cExtract, BaggageIsReadIndependentlyOfTraceparent) {
  Carrier carrier;
  carrier.headers["traceparent"] = "garbage";
  carrier.headers["baggage"] = "k=v%21";
  Extracted extracted = Extract(carrier.Getter());
  EXPECT_FALSE(extracted.parent.has_value());
  ASSERT_EQ(extracted.baggage.entries.size(), 1u);
  EXPECT_EQ(extracted.baggage.entries[0].value, "v!");
}

TEST(W3cExtract, AsksForLowercaseHeaderNames) {
  Carrier carrier;
  carrier.headers["traceparent"] = kValid;
  Extract(carrier.Getter());
  EXPECT_EQ(carrier.asked, (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
}

TEST(W3cInject, WritesTraceparentTracestateAndBaggage) {
  SpanContext context = *ParseTraceparent(kValid);
  context.trace_state = "foo=1";
  Baggage baggage;
  baggage.entries.push_back({"k", "a b", ""});
  Carrier carrier;
  Inject(context, baggage, carrier.Setter());
  EXPECT_EQ(carrier.headers,
            (std::map<std::string, std::string, std::less<>>{
                {"traceparent", kValid}, {"tracestate", "foo=1"}, {"baggage", "k=a%20b"}}));
}

TEST(W3cInject, OmitsEmptyTracestateAndBaggage) {
  Carrier carrier;
  Inject(*ParseTraceparent(kValid), Baggage{}, carrier.Setter());
  EXPECT_EQ(carrier.headers,
            (std::map<std::string, std::string, std::less<>>{{"traceparent", kValid}}));
}

TEST(W3cInject, InvalidContextWritesNoTraceparentButStillBaggage) {
  Baggage baggage;
  baggage.entries.push_back({"k", "v", ""});
  Carrier carrier;
  Inject(SpanContext{}, baggage, carrier.Setter());
  EXPECT_EQ(carrier.headers, (std::map<std::string, std::string, std::less<>>{{"baggage", "k=v"}}));
}

TEST(W3cInject, InjectThenExtractRoundTrips) {
  SpanContext context = *ParseTraceparent(Traceparent("00", kTraceId, kSpanId, "00"));
  context.trace_state = "vendor@sys=x,other=y";
  Baggage baggage;
  baggage.entries.push_back({"k", "v,1", ";p"});
  Carrier carrier;
  Inject(context, baggage, carrier.Setter());
  Extracted extracted = Extract(carrier.Getter());
  ASSERT_TRUE(extracted.parent.has_value());
  EXPECT_EQ(extracted.parent->trace_id, context.trace_id);
  EXPECT_EQ(extracted.parent->span_id, context.span_id);
  EXPECT_FALSE(extracted.parent->sampled());
  EXPECT_EQ(extracted.parent->trace_state, context.trace_state);
  ASSERT_EQ(extracted.baggage.entries.size(), 1u);
  EXPECT_EQ(extracted.baggage.entries[0].value, "v,1");
  EXPECT_EQ(extracted.baggage.entries[0].properties, ";p");
}

}  // namespace
}  // namespace traceproof::w3c

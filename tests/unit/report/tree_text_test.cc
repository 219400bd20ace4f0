#include "report/tree_text.h"

#include <gtest/gtest.h>

#include "otlp/decode.h"
#include "store/trace_store.h"
#include "test_requests.h"

namespace traceproof {
namespace {

using namespace testing;

std::shared_ptr<const Trace> OneTrace(SpanBatch batch) {
  TraceStore store;
  store.Consume(std::move(batch));
  auto done = store.CollectCompleted(true);
  return done.at(0);
}

TEST(TreeText, ChildrenAreIndentedUnderTheirParentInStartOrder) {
  auto trace = OneTrace(MakeBatch({
      {1, 3, 1, 3'000'000, 4'000'000, "orders", "create-order"},
      {1, 1, 0, 0, 4'200'000'000, "gateway", "POST /checkout"},
      {1, 2, 1, 1'000'000, 13'000'000, "auth", "validate-token"},
      {1, 4, 3, 3'500'000, 3'600'000, "orders", "INSERT orders"},
  }));
  std::string text = TraceTreeText(*trace);
  auto line_of = [&](std::string_view needle) {
    auto pos = text.find(needle);
    EXPECT_NE(pos, std::string::npos) << needle << " missing in\n" << text;
    return text.substr(text.rfind('\n', pos) + 1, text.find('\n', pos) - text.rfind('\n', pos) - 1);
  };
  EXPECT_EQ(line_of("POST /checkout").find("gateway"), 2u);
  EXPECT_EQ(line_of("validate-token").find("auth"), 4u);
  EXPECT_EQ(line_of("create-order").find("orders"), 4u);
  EXPECT_EQ(line_of("INSERT orders").find("orders"), 6u);
  EXPECT_LT(text.find("validate-token"), text.find("create-order"));
  EXPECT_NE(line_of("POST /checkout").find("4.20 s"), std::string::npos);
  EXPECT_NE(line_of("validate-token").find("12.0 ms"), std::string::npos);
}

TEST(TreeText, MarksErrorsAndOrphans) {
  pbc::ExportTraceServiceRequest req;
  AddSpan(req, "gw", "root", 1, 1);
  auto* err = AddSpan(req, "pay", "charge", 1, 2, 1);
  err->mutable_status()->set_code(pbt::Status::STATUS_CODE_ERROR);
  err->mutable_status()->set_message("card declined");
  AddSpan(req, "db", "lost", 1, 3, 9);
  TraceStore store;
  auto decoded = DecodeExportRequest(Serialize(req));
  store.Consume(std::move(decoded.batch));
  std::string text = TraceTreeText(*store.CollectCompleted(true).at(0));
  EXPECT_NE(text.find("ERROR: card declined"), std::string::npos) << text;
  EXPECT_NE(text.find("orphan: parent 2222222222220009 never arrived"), std::string::npos) << text;
}

TEST(TreeText, DurationsCarryUnits) {
  EXPECT_EQ(FormatDuration(4'200'000'000), "4.20 s");
  EXPECT_EQ(FormatDuration(12'000'000), "12.0 ms");
  EXPECT_EQ(FormatDuration(850'000), "850 µs");
  EXPECT_EQ(FormatDuration(12), "12 ns");
}

}  // namespace
}  // namespace traceproof

#include "query/jsonata/line_protocol.h"

#include <sstream>

#include <gtest/gtest.h>

namespace flowstate::query::jsonata {
namespace {

TEST(JsonataLineProtocol, ResultUndefinedAndError) {
  EXPECT_EQ(AnswerJsonataRequest(R"({"expr":"a+1","data":{"a":1},"bindings":{}})"),
            R"({"result":2})");
  EXPECT_EQ(AnswerJsonataRequest(R"({"expr":"b","data":{"a":1},"bindings":{}})"),
            R"({"undefined":true})");
  EXPECT_EQ(AnswerJsonataRequest(R"({"expr":"$x","bindings":{"x":[1]}})"), R"({"result":[1]})");
  std::string err = AnswerJsonataRequest(R"({"id":"g/c1","expr":"1+'a'","bindings":{}})");
  EXPECT_NE(err.find(R"("code":"T2002")"), std::string::npos) << err;
  EXPECT_NE(err.find(R"("token":"+")"), std::string::npos) << err;
  EXPECT_NE(err.find(R"("id":"g/c1")"), std::string::npos) << err;
}

TEST(JsonataLineProtocol, LoneSurrogateInExpression) {
  std::string out =
      AnswerJsonataRequest(R"j({"expr":"$encodeUrlComponent('\ud800')","bindings":{}})j");
  EXPECT_NE(out.find(R"("code":"D3140")"), std::string::npos) << out;
}

TEST(JsonataLineProtocol, DepthAndTimeLimitFields) {
  std::string out = AnswerJsonataRequest(
      R"j({"expr":"($f := function($n){$n + $f($n)}; $f(1))","bindings":{},"depth":50,"timelimit":1000})j");
  EXPECT_NE(out.find(R"("code":"U1001")"), std::string::npos) << out;
}

TEST(JsonataLineProtocol, LimitsOutOfRangeAreClamped) {
  // Converting 1e300 to an int was undefined behaviour (UBSan aborts on it).
  EXPECT_EQ(
      AnswerJsonataRequest(R"({"expr":"1+1","bindings":{},"depth":1e300,"timelimit":-1e300})"),
      R"({"result":2})");
  std::string out = AnswerJsonataRequest(
      R"j({"expr":"($f := function($n){$n + $f($n)}; $f(1))","bindings":{},"depth":-5})j");
  EXPECT_NE(out.find(R"("code":"U1001")"), std::string::npos) << out;
}

TEST(JsonataLineProtocol, StreamsOneLinePerRequest) {
  std::istringstream in("{\"expr\":\"1\",\"bindings\":{}}\n{\"expr\":\"2\",\"bindings\":{}}\n");
  std::ostringstream out;
  EXPECT_EQ(RunJsonataLineProtocol(in, out), 0);
  EXPECT_EQ(out.str(), "{\"result\":1}\n{\"result\":2}\n");
}

}  // namespace
}  // namespace flowstate::query::jsonata

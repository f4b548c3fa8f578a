#include "base/base64.h"

#include <gtest/gtest.h>

namespace flowstate::base {
namespace {

TEST(Base64Test, RoundTripsWithPadding) {
  EXPECT_EQ(Base64Encode("Data to encode"), "RGF0YSB0byBlbmNvZGU=");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Decode("RGF0YSB0byBlbmNvZGU="), "Data to encode");
}

TEST(Base64Test, RejectsMalformedText) {
  EXPECT_FALSE(Base64Decode("***"));
  EXPECT_FALSE(Base64Decode("YWI"));
  EXPECT_FALSE(Base64Decode("Y=WI"));
}

}  // namespace
}  // namespace flowstate::base

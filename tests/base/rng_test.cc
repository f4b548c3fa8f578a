#include "base/rng.h"

#include <gtest/gtest.h>

namespace flowstate::base {
namespace {

TEST(RngTest, SameSeedSameSequence) {
  Rng a(42);
  Rng b(42);
  EXPECT_EQ(a.Next(), b.Next());
  EXPECT_EQ(a.Uuid(), b.Uuid());
}

TEST(RngTest, UuidIsVersion4) {
  Rng rng(7);
  const std::string uuid = rng.Uuid();
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
}

}  // namespace
}  // namespace flowstate::base

#include "runtime/transition_feed.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace flowstate::runtime {
namespace {

TEST(TransitionFeedTest, PublishCallsOnlyTheWatchersOfThatExecution) {
  TransitionFeed feed;
  std::vector<std::string> calls;
  feed.Watch("a", [&] { calls.push_back("a1"); });
  feed.Watch("a", [&] { calls.push_back("a2"); });
  feed.Watch("b", [&] { calls.push_back("b"); });
  feed.Publish("a");
  feed.Publish("c");
  EXPECT_EQ(calls, (std::vector<std::string>{"a1", "a2"}));
}

TEST(TransitionFeedTest, UnwatchStopsTheCalls) {
  TransitionFeed feed;
  int calls = 0;
  const auto id = feed.Watch("a", [&] { ++calls; });
  feed.Publish("a");
  feed.Unwatch(id);
  feed.Publish("a");
  feed.Unwatch(id);  // twice is harmless
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(feed.WatcherCountForTesting(), 0u);
}

TEST(TransitionFeedTest, ACallbackMayUnwatchItself) {
  TransitionFeed feed;
  int calls = 0;
  TransitionFeed::WatchId id = 0;
  id = feed.Watch("a", [&] {
    ++calls;
    feed.Unwatch(id);
  });
  feed.Publish("a");
  feed.Publish("a");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace flowstate::runtime

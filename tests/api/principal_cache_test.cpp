// The token → principal cache on its own (AuthService's use of it is covered
// by the Auth API tests: sign-out, disabling and role changes act at once).
#include "modules/auth/principal_cache.hpp"

#include <gtest/gtest.h>

namespace cg::auth {
namespace {

constexpr std::int64_t kNow = 1'790'000'000'000;

Principal someone() {
  Principal p;
  p.user_id = 42;
  p.display_name = "王秀英";
  p.grants.push_back(Grant{Role::grid_worker, 31, "/1/2/5/9/31/", "文峰社区第一网格", "grid", 7});
  return p;
}

TEST(PrincipalCache, FindsWhatWasPutUntilTheSessionExpires) {
  PrincipalCache cache;
  EXPECT_FALSE(cache.find("h", kNow));
  cache.put("h", someone(), kNow + 1000, cache.generation());
  auto found = cache.find("h", kNow);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_id, 42);
  ASSERT_EQ(found->grants.size(), 1u);
  EXPECT_EQ(found->grants[0].area_path, "/1/2/5/9/31/");
  EXPECT_FALSE(cache.find("other", kNow));
  EXPECT_FALSE(cache.find("h", kNow + 1000));  // the session ended
  EXPECT_FALSE(cache.find("h", kNow));         // and the entry is gone
}

TEST(PrincipalCache, ForgetAllDropsEveryEntry) {
  PrincipalCache cache;
  cache.put("a", someone(), kNow + 1000, cache.generation());
  cache.put("b", someone(), kNow + 1000, cache.generation());
  cache.forget_all();
  EXPECT_FALSE(cache.find("a", kNow));
  EXPECT_FALSE(cache.find("b", kNow));
}

// A lookup that read the database before a change committed must not put its
// stale principal back after the change forgot everything.
TEST(PrincipalCache, AReadThatRacedAChangeIsNotCached) {
  PrincipalCache cache;
  const std::uint64_t before = cache.generation();
  cache.forget_all();  // e.g. the account was disabled meanwhile
  cache.put("h", someone(), kNow + 1000, before);
  EXPECT_FALSE(cache.find("h", kNow));
  cache.put("h", someone(), kNow + 1000, cache.generation());
  EXPECT_TRUE(cache.find("h", kNow));
}

}  // namespace
}  // namespace cg::auth

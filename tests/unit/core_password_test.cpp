#include "core/password.hpp"

#include <gtest/gtest.h>

namespace cg {
namespace {

std::vector<std::string> codes(std::string_view password, std::string_view username = "wangjian") {
  std::vector<std::string> out;
  for (const auto& p : password_problems(password, username)) out.push_back(p.code);
  return out;
}

using Codes = std::vector<std::string>;

TEST(PasswordQuality, StrongPasswordsPass) {
  EXPECT_TRUE(codes("Gridworker#2024").empty());
  EXPECT_TRUE(codes("lamp-post-7-fixed").empty());  // lower, digit, symbol
  EXPECT_TRUE(codes("网格员Wang2024").empty());     // Chinese characters count as symbols
  EXPECT_TRUE(check_password_quality("Gridworker#2024", "wangjian").has_value());
}

TEST(PasswordQuality, TooShort) {
  EXPECT_EQ(codes("Ab1!efgh"), Codes{"too_short"});
  auto problems = password_problems("Ab1!", "x");
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].message, "密码至少需要10个字符");
  EXPECT_EQ(problems[0].field, "password");
}

TEST(PasswordQuality, NeedsThreeCharacterClasses) {
  EXPECT_EQ(codes("abcdefghijkl"), Codes{"too_simple"});
  EXPECT_EQ(codes("abcdefgh1234"), Codes{"too_simple"});
  EXPECT_TRUE(codes("abcdefgh123A").empty());
}

TEST(PasswordQuality, MustNotContainTheUsername) {
  EXPECT_EQ(codes("Xx-WangJian-2024"), Codes{"contains_username"});
  EXPECT_TRUE(codes("Xx-li-2024-ok", "li").empty());  // too short a name to matter
}

TEST(PasswordQuality, CommonPasswordsAreRejected) {
  EXPECT_EQ(codes("Password@123"), Codes{"common"});
  EXPECT_EQ(codes("P@ssw0rd123"), Codes{"common"});
}

TEST(PasswordQuality, AllProblemsAreReportedAtOnce) {
  EXPECT_EQ(codes("wangjian", "wangjian"), (Codes{"too_short", "too_simple", "contains_username"}));
  auto status = check_password_quality("short", "u");
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().status, 400);
  EXPECT_EQ(status.error().errors.size(), 2u);
}

TEST(PasswordHash, HashVerifiesOnlyTheRightPassword) {
  auto hash = hash_password("Gridworker#2024", PasswordHashCost::minimal());
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(*hash, "Gridworker#2024"));
  EXPECT_FALSE(verify_password(*hash, "Gridworker#2025"));
  EXPECT_FALSE(verify_password(*hash, ""));
}

TEST(PasswordHash, SaltMakesEveryHashDifferent) {
  auto a = hash_password("same password", PasswordHashCost::minimal());
  auto b = hash_password("same password", PasswordHashCost::minimal());
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(PasswordHash, MalformedHashNeverVerifies) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("$argon2id$garbage", "x"));
  EXPECT_FALSE(verify_password(std::string(1000, 'a'), "x"));
}

TEST(PasswordHash, NeedsRehashWhenTheCostChanged) {
  const auto minimal = PasswordHashCost::minimal();
  auto hash = hash_password("Gridworker#2024", minimal);
  ASSERT_TRUE(hash.has_value());
  EXPECT_FALSE(needs_rehash(*hash, minimal));
  EXPECT_TRUE(needs_rehash(*hash, PasswordHashCost::interactive()));
  EXPECT_TRUE(needs_rehash("not a hash"));
}

TEST(PasswordHash, InteractiveCostWorks) {
  auto hash = hash_password("Gridworker#2024");
  ASSERT_TRUE(hash.has_value());
  EXPECT_FALSE(needs_rehash(*hash));
  EXPECT_TRUE(verify_password(*hash, "Gridworker#2024"));
}

}  // namespace
}  // namespace cg

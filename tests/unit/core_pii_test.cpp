#include "core/pii.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

namespace cg {
namespace {

PiiKey key_of(unsigned char fill) {
  PiiKey key;
  key.fill(fill);
  return key;
}

TEST(PiiCipher, EncryptThenDecryptGivesThePlaintextBack) {
  const PiiCipher cipher(key_of(1));
  for (std::string plain : {"320602199001011234", "13812345678", "", "张三 住 3 栋 2 单元"}) {
    const std::string sealed = cipher.encrypt(plain);
    EXPECT_EQ(sealed.size(), plain.size() + 40);  // 24-byte nonce + 16-byte MAC
    EXPECT_EQ(cipher.decrypt(sealed), plain);
  }
}

TEST(PiiCipher, EqualPlaintextsEncryptDifferently) {
  const PiiCipher cipher(key_of(1));
  EXPECT_NE(cipher.encrypt("13812345678"), cipher.encrypt("13812345678"));
}

TEST(PiiCipher, CiphertextDoesNotContainThePlaintext) {
  const PiiCipher cipher(key_of(1));
  EXPECT_EQ(cipher.encrypt("13812345678").find("1381234"), std::string::npos);
}

TEST(PiiCipher, TamperedOrTruncatedBytesAreRejected) {
  const PiiCipher cipher(key_of(1));
  const std::string sealed = cipher.encrypt("320602199001011234");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_EQ(cipher.decrypt(tampered), std::nullopt) << "byte " << i;
  }
  EXPECT_EQ(cipher.decrypt(sealed.substr(0, sealed.size() - 1)), std::nullopt);
  EXPECT_EQ(cipher.decrypt(sealed.substr(0, 10)), std::nullopt);
  EXPECT_EQ(cipher.decrypt(""), std::nullopt);
}

TEST(PiiCipher, AnotherKeyCannotDecrypt) {
  const std::string sealed = PiiCipher(key_of(1)).encrypt("13812345678");
  EXPECT_EQ(PiiCipher(key_of(2)).decrypt(sealed), std::nullopt);
}

TEST(PiiCipher, BlindIndexIsStableHexAndKeyed) {
  const PiiCipher a(key_of(1));
  const PiiCipher a_again(key_of(1));
  const std::string index = a.blind_index("phone", "13812345678");
  EXPECT_EQ(index.size(), 64u);
  EXPECT_EQ(index.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(index, a_again.blind_index("phone", "13812345678"));
  EXPECT_NE(index, a.blind_index("phone", "13812345679"));
  EXPECT_NE(index, PiiCipher(key_of(2)).blind_index("phone", "13812345678"));
}

TEST(PiiCipher, BlindIndexSeparatesKinds) {
  const PiiCipher cipher(key_of(1));
  EXPECT_NE(cipher.blind_index("id", "13812345678"), cipher.blind_index("phone", "13812345678"));
  // The separator keeps the boundary between kind and value unambiguous.
  EXPECT_NE(cipher.blind_index("ph", "one1"), cipher.blind_index("phone", "1"));
}

TEST(PiiCipher, CopiesWorkLikeTheOriginal) {
  const PiiCipher original(key_of(7));
  const PiiCipher copy = original;
  EXPECT_EQ(copy.decrypt(original.encrypt("x")), "x");
}

TEST(PiiKeyFile, KeyFromHexAcceptsExactly64HexCharacters) {
  auto key = PiiCipher::key_from_hex(std::string(64, 'a') + "\n");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ((*key)[0], 0xaa);
  EXPECT_FALSE(PiiCipher::key_from_hex(std::string(62, 'a')).has_value());
  EXPECT_FALSE(PiiCipher::key_from_hex(std::string(66, 'a')).has_value());
  EXPECT_FALSE(PiiCipher::key_from_hex(std::string(63, 'a') + "g").has_value());
  EXPECT_FALSE(PiiCipher::key_from_hex("").has_value());
}

class PiiKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cg-pii-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(PiiKeyFileTest, CreatesAPrivateKeyFileThenReadsTheSameKey) {
  const std::string file = path("pii.key");
  auto created = PiiCipher::load_or_create_key(file);
  ASSERT_TRUE(created.has_value());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  auto loaded = PiiCipher::load_or_create_key(file);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, *created);
  // Only the key file is left behind, no temporary files.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(PiiKeyFileTest, TwoCreatedKeysDiffer) {
  auto a = PiiCipher::load_or_create_key(path("a.key"));
  auto b = PiiCipher::load_or_create_key(path("b.key"));
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST_F(PiiKeyFileTest, MalformedKeyFileIsAnErrorAndIsKept) {
  const std::string file = path("bad.key");
  std::ofstream(file) << "not a key\n";
  EXPECT_FALSE(PiiCipher::load_or_create_key(file).has_value());
  std::ifstream in(file);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "not a key");
}

TEST_F(PiiKeyFileTest, MissingDirectoryIsAnError) {
  EXPECT_FALSE(PiiCipher::load_or_create_key(path("no/such/dir.key")).has_value());
}

TEST(PiiMask, IdNumberKeepsRegionAndLastFour) {
  EXPECT_EQ(mask_id_number("320602199001011234"), "320602********1234");
  EXPECT_EQ(mask_id_number("11010519491231002X"), "110105********002X");
  EXPECT_EQ(mask_id_number("12345"), "*****");
  EXPECT_EQ(mask_id_number(""), "");
}

TEST(PiiMask, PhoneKeepsFirstThreeAndLastFour) {
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
  EXPECT_EQ(mask_phone("1234567"), "*******");
}

TEST(Phone, NormalizesCommonWritings) {
  for (const char* raw : {"13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678",
                          "+8613812345678", "8613812345678", " 13812345678 "}) {
    auto phone = normalize_mobile_phone(raw);
    ASSERT_TRUE(phone.has_value()) << raw;
    EXPECT_EQ(*phone, "13812345678") << raw;
  }
}

TEST(Phone, RejectsWhatIsNotAMainlandMobileNumber) {
  for (const char* raw :
       {"", "1381234567", "138123456789", "12812345678", "23812345678", "0512-12345678",
        "1381234567a", "+85213812345678", "138+12345678", "+1 13812345678"}) {
    auto phone = normalize_mobile_phone(raw);
    ASSERT_FALSE(phone.has_value()) << raw;
    EXPECT_EQ(phone.error().errors.at(0).field, "phone");
    EXPECT_EQ(phone.error().errors.at(0).message, "手机号格式不正确");
  }
}

}  // namespace
}  // namespace cg

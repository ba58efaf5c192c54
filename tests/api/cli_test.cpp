// The civicgrid command line as an operator uses it: help, migrate, user add,
// import and export of residents. Runs the real binary against a test database.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/app.hpp"
#include "core/idcard.hpp"
#include "db/db.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

struct CliRun {
  int code = -1;
  std::string output;
};

// Runs the binary with `args` (already shell-quoted), capturing stdout and stderr.
CliRun civicgrid(const std::string& args) {
  std::string command = std::string(CIVICGRID_BINARY) + " " + args + " 2>&1";
  CliRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    run.output.append(buffer.data(), n);
  }
  int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string common_flags(const TestApp& app) {
  return "--db '" + app.db_url() + "' --data-dir '" + app.data_dir() + "'";
}

TEST(Cli, HelpExplainsTheCommands) {
  CliRun help = civicgrid("--help");
  EXPECT_EQ(help.code, 0);
  for (const char* word : {"serve", "migrate", "demo", "user", "import", "export"}) {
    EXPECT_NE(help.output.find(word), std::string::npos) << word;
  }
  CliRun serve_help = civicgrid("serve --help");
  EXPECT_NE(serve_help.output.find("--port"), std::string::npos);
  EXPECT_NE(serve_help.output.find("--db"), std::string::npos);
  EXPECT_NE(civicgrid("no-such-command").code, 0);
}

TEST(Cli, MigrateIsIdempotent) {
  auto dir = std::filesystem::temp_directory_path() / ("cg-cli-" + std::to_string(::getpid()));
  std::string db = "--db sqlite:" + (dir / "m.db").string();
  CliRun first = civicgrid("migrate " + db);
  EXPECT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("applied 0001_org"), std::string::npos);
  CliRun second = civicgrid("migrate " + db);
  EXPECT_EQ(second.code, 0);
  EXPECT_EQ(second.output.find("applied"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Cli, UserAddCreatesAnAccountThatCanSignIn) {
  TestApp app;
  CliRun add = civicgrid("user add " + common_flags(app) +
                         " --username cli_worker --name 命令行网格员 --role grid_worker"
                         " --area 320602011001002 --password 'Cli@Worker2026'");
  ASSERT_EQ(add.code, 0) << add.output;
  Client c = app.client();
  c.login("cli_worker", "Cli@Worker2026");
  EXPECT_EQ(c.get("/api/v1/me").json().at("roles").as_array()[0].at("area").at("id"),
            app.world().grid2);
  CliRun weak = civicgrid("user add " + common_flags(app) +
                          " --username weak --name x --role grid_worker --area 320602011001002"
                          " --password 123");
  EXPECT_NE(weak.code, 0);
  CliRun bad_area = civicgrid("user add " + common_flags(app) +
                              " --username nowhere --name x --role grid_worker --area 999"
                              " --password 'Cli@Worker2026'");
  EXPECT_NE(bad_area.code, 0);
}

TEST(Cli, ImportChecksThenImportsAndExportWritesAWorkbook) {
  TestApp app;
  auto csv = std::filesystem::path(app.data_dir()) / "residents.csv";
  std::ofstream(csv)
      << "姓名,性别,出生日期,身份证号,手机号,网格编码,楼幢,单元,楼层,房号,与户主关系,"
         "居住类型,标签,备注\n"
         "周建国,男,1958-03-02,,13951300101,320602011001001,5幢,1单元,2,201,户主,户籍,"
         "党员、空巢老人,\n"
         "钱秀英,女,1960-07-15,,,320602011001001,5幢,1单元,2,201,配偶,户籍,,\n";
  CliRun dry = civicgrid("import residents '" + csv.string() +
                         "' --community 320602011001 --dry-run " + common_flags(app));
  EXPECT_EQ(dry.code, 0) << dry.output;
  EXPECT_NE(dry.output.find("检查完成"), std::string::npos) << dry.output;
  CliRun real = civicgrid("import residents '" + csv.string() + "' --community 320602011001 " +
                          common_flags(app));
  EXPECT_EQ(real.code, 0) << real.output;
  auto c = app.as("bachang_worker");
  EXPECT_EQ(
      c.get("/api/v1/residents?q=%E5%91%A8%E5%BB%BA%E5%9B%BD").json().at("items").as_array().size(),
      1u);

  auto out = std::filesystem::path(app.data_dir()) / "residents.xlsx";
  CliRun exported = civicgrid("export residents --out '" + out.string() + "' " + common_flags(app));
  EXPECT_EQ(exported.code, 0) << exported.output;
  std::ifstream in(out, std::ios::binary);
  std::string head(2, '\0');
  in.read(head.data(), 2);
  EXPECT_EQ(head, "PK");

  auto bad = std::filesystem::path(app.data_dir()) / "bad.csv";
  std::ofstream(bad) << "姓名,性别\n张三,男\n";
  CliRun rejected = civicgrid("import residents '" + bad.string() + "' --community 320602011001 " +
                              common_flags(app));
  EXPECT_NE(rejected.code, 0) << rejected.output;
}

// The command line streams files of any size; a bad row in a later batch
// refuses the file and leaves nothing written.
TEST(Cli, LargeImportWithABadLastRowWritesNothing) {
  TestApp app;
  const std::string header =
      "姓名,性别,出生日期,身份证号,手机号,网格编码,楼幢,单元,楼层,房号,与户主关系,"
      "居住类型,标签,备注\n";
  auto id_number = [](int i) {
    std::string first17 = fmt::format("110105{}0101{:03}", 1930 + i / 999, i % 999 + 1);
    return first17 + *id_check_digit(first17);
  };
  std::string rows;
  for (int i = 0; i < 6000; ++i) {
    rows += fmt::format("居民{},,,{},139{:08},320602011001001,{}幢,1单元,1,{},户主,户籍,,\n", i,
                        id_number(i), i, i / 100 + 1, i % 100 + 101);
  }
  auto first = std::filesystem::path(app.data_dir()) / "first.csv";
  std::ofstream(first) << header << "先登记,,," << id_number(7000)
                       << ",,320602011001001,9幢,1单元,1,101,户主,户籍,,\n";
  auto flags = " --community 320602011001 " + common_flags(app);
  CliRun before = civicgrid("import residents '" + first.string() + "'" + flags);
  ASSERT_EQ(before.code, 0) << before.output;
  auto count = [&](const std::string& sql) {
    return app.app().db->read([&](db::Conn& c) { return c.query_one(sql)->i64(0); });
  };
  const auto residents = count("SELECT COUNT(*) FROM residents");
  const auto households = count("SELECT COUNT(*) FROM households");

  auto bad = std::filesystem::path(app.data_dir()) / "bad.csv";
  std::ofstream(bad) << header << rows << "又登记,,," << id_number(7000)
                     << ",,320602011001001,9幢,1单元,1,102,户主,户籍,,\n";
  CliRun refused = civicgrid("import residents '" + bad.string() + "'" + flags);
  EXPECT_EQ(refused.code, 1) << refused.output;
  EXPECT_NE(refused.output.find("row 6002: 身份证号"), std::string::npos) << refused.output;
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), residents);
  EXPECT_EQ(count("SELECT COUNT(*) FROM households"), households);

  auto good = std::filesystem::path(app.data_dir()) / "good.csv";
  std::ofstream(good) << header << rows;
  CliRun imported = civicgrid("import residents '" + good.string() + "'" + flags);
  EXPECT_EQ(imported.code, 0) << imported.output;
  EXPECT_NE(imported.output.find("导入 6000 行"), std::string::npos) << imported.output;
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), residents + 6000);
}

}  // namespace
}  // namespace cg::test

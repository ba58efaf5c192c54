#include "app/config.hpp"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>

namespace cg {
namespace {

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

using Setter = std::function<bool(Config&, const std::string&)>;

const std::map<std::string, Setter>& setters() {
  auto text = [](std::string Config::*field) {
    return Setter([field](Config& c, const std::string& v) {
      c.*field = v;
      return true;
    });
  };
  auto number = [](int Config::*field) {
    return Setter([field](Config& c, const std::string& v) {
      try {
        c.*field = std::stoi(v);
        return true;
      } catch (...) {
        return false;
      }
    });
  };
  auto flag = [](bool Config::*field) {
    return Setter([field](Config& c, const std::string& v) {
      c.*field = v == "1" || v == "true" || v == "yes";
      return true;
    });
  };
  static const std::map<std::string, Setter> table = {
      {"db", text(&Config::db_url)},
      {"host", text(&Config::host)},
      {"port", number(&Config::port)},
      {"data_dir", text(&Config::data_dir)},
      {"web_dir", text(&Config::web_dir)},
      {"secret_key_file", text(&Config::secret_key_file)},
      {"workers", number(&Config::workers)},
      // No longer used: the server's threads both serve sockets and run
      // handlers (`workers`). Still accepted so older config files load.
      {"io_threads", Setter([](Config&, const std::string&) { return true; })},
      {"db_readers", number(&Config::db_readers)},
      {"synchronous_full", flag(&Config::synchronous_full)},
      {"log_level", text(&Config::log_level)},
      {"secure_cookies", flag(&Config::secure_cookies)},
  };
  return table;
}

}  // namespace

std::string load_config(Config& config, const std::string& file) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return "cannot read config file " + file;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      line = trim(line);
      if (line.empty() || line[0] == '#') continue;
      auto eq = line.find('=');
      if (eq == std::string::npos)
        return file + ":" + std::to_string(number) + ": expected name = value";
      std::string name = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
      auto it = setters().find(name);
      if (it == setters().end() || !it->second(config, value)) {
        return file + ":" + std::to_string(number) + ": unknown setting or bad value '" + name +
               "'";
      }
    }
  }
  for (const auto& [name, set] : setters()) {
    std::string env = "CIVICGRID_";
    for (char c : name)
      env.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (const char* v = std::getenv(env.c_str())) {
      if (!set(config, v)) return "bad value in " + env;
    }
  }
  return {};
}

}  // namespace cg

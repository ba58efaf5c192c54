// Settings of one CivicGrid process. Each comes from, in order of precedence:
// a command-line flag, an environment variable CIVICGRID_<NAME>, a line
// `name = value` in the config file (--config, or CIVICGRID_CONFIG), a default.
#pragma once

#include <string>

namespace cg {

struct Config {
  std::string db_url = "sqlite:./data/civicgrid.db";
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir = "./data";
  std::string web_dir = "./web/dist";
  std::string secret_key_file;  // default: <data_dir>/secret.key
  int workers = 8;              // the HTTP server's threads: requests handled at once
  int db_readers = 8;
  bool synchronous_full = false;
  std::string log_level = "info";
  bool secure_cookies = false;  // set behind HTTPS
  // The modules' schedulers (supervision, the volunteers' sweep). Off for
  // one-shot commands such as `demo`: on PostgreSQL a pass racing the bulk
  // generator's DROP/CREATE INDEX could deadlock it and fail the generation.
  bool background_jobs = true;
};

// Fills `config` from the environment and an optional file; flags are applied
// afterwards by the CLI. Returns an error message for a malformed file.
std::string load_config(Config& config, const std::string& file);

}  // namespace cg

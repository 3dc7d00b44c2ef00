// Where the CLI finds its plugins and how it runs them around commands.
#include <iostream>

#include "core/customers.h"
#include "core/fields.h"
#include "core/hlc.h"
#include "core/plugin_review.h"
#include "core/plugins_folder.h"
#include "core/sqlite.h"
#include "tools/fieldcrm/context.h"

namespace fieldcrm::cli {

PluginHost& Context::Plugins() {
  if (!plugins) {
    Store& opened = Open();
    plugins = std::make_unique<PluginHost>(PluginsFolder(plugins_dir, &opened));
    plugins->Configure(opened);
  }
  return *plugins;
}

int64_t Context::AsOfMs() const {
  return as_of.empty() ? SystemMillis() : ParseTime(as_of, "--as-of");
}

void Context::ReviewAfterWrite(const std::string& record) {
  Store& opened = Open();
  // A customer stands for itself; anything else for the customer it hangs under.
  std::string customer = opened.db()
                             .QueryText(
                                 "SELECT parent FROM records WHERE id = ? AND kind != "
                                 "'customer'",
                                 record)
                             .value_or(record);
  ReviewResult result =
      ReviewCustomers(opened, Plugins(), AsOfMs(), Customers(opened).Resolve(customer));
  for (const std::string& failure : result.failures) {
    std::cerr << "fieldcrm: warning: " << failure << '\n';
  }
}

}  // namespace fieldcrm::cli

#include "fieldcrm/storage/name_uuid.h"

#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/string_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

namespace fieldcrm {

std::string NameUuid(std::string_view name) {
  // fieldcrm's own namespace: ids never collide with v5 ids other software derives from a name.
  static const boost::uuids::uuid kNamespace =
      boost::uuids::string_generator()("6f1c2b9e-3d4a-4c8e-9a51-0f2e7d6b8c13");
  boost::uuids::name_generator_sha1 generate(kNamespace);
  return boost::uuids::to_string(generate(name.data(), name.size()));
}

}  // namespace fieldcrm

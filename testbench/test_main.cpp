// The Catch2 runner lives inside sc_main (libsystemc owns main()). SystemC warnings and errors seen
// during a test make the process fail, so a test cannot pass while the kernel complains.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>
#include "tlm/log.h"

int sc_main(int argc, char* argv[]) {
  t3vp::install_report_handler(/*warnings_are_errors=*/true);
  int rc = Catch::Session().run(argc, argv);
  if (t3vp::systemc_warnings_seen() > 0 || t3vp::systemc_errors_seen() > 0) {
    std::fprintf(stderr, "test failed: %u SystemC warning(s), %u error(s) reported\n", t3vp::systemc_warnings_seen(),
                 t3vp::systemc_errors_seen());
    if (rc == 0) rc = 1;
  }
  return rc;
}

// The t3vp application: a thin shell over the platform library.
#include <cstdlib>
#include <systemc>
#include "platform/cli.h"
#include "tlm/log.h"

// libsystemc's own main() prints a banner before sc_main unless the environment says not to; this main
// (which the linker prefers over the library's) says so, so that t3vp's output is only its own.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  t3vp::install_report_handler(/*warnings_are_errors=*/false);
  return t3vp::run_cli(argc, argv);
}

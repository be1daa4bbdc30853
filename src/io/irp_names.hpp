// The symbolic names of the IRP major function codes, shared by the verifier's reports, the trace
// export and the inspector, so the three never disagree.
#pragma once

namespace ntio::io {

// "IRP_MJ_READ" for IRP_MJ_READ; nullptr for a code above IRP_MJ_MAXIMUM_FUNCTION.
const char* major_function_name(unsigned major) noexcept;

}  // namespace ntio::io

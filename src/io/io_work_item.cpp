// (being written)
#include "io/objects.hpp"

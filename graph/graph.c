/* graph.c - Microsoft Graph client; filled in by the automatic-mode work */
#include "graph.h"

typedef int graph_placeholder_keeps_iso_c_happy;

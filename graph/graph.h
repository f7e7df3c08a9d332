/* graph.h - Microsoft Graph over HTTPS (token, service health): issue 3 */
#ifndef BG_GRAPH_H
#define BG_GRAPH_H

/* the module has no entry points yet; see docs for the plan */

#endif

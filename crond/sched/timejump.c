/* crond/sched/timejump.c: classifying clock changes (see timejump.h). */
#include "crond/sched/timejump.h"

#include "lib/civil.h"

int64_t timejump_minutes_since_last(int64_t jump_seconds)
{
	/* Under a minute either way is scheduling noise, not a change. */
	if (jump_seconds > -60 && jump_seconds < 60)
		return 1;
	if (jump_seconds > 0)
		return 1 + jump_seconds / 60;
	return 1 - civil_floor_div(-jump_seconds + 59, 60);
}

enum jump_kind timejump_classify(int64_t jump_seconds)
{
	int64_t d = timejump_minutes_since_last(jump_seconds);
	if (d == 1)
		return JUMP_NONE;
	if (d >= 2 && d <= 5)
		return JUMP_SMALL_FORWARD;
	if (d >= 6 && d <= 180)
		return JUMP_FORWARD;
	if (d <= 0 && d >= -180)
		return JUMP_BACKWARD;
	return JUMP_RESET;
}

const char *timejump_name(enum jump_kind kind)
{
	switch (kind) {
	case JUMP_NONE: return "none";
	case JUMP_SMALL_FORWARD: return "small-forward";
	case JUMP_FORWARD: return "forward";
	case JUMP_BACKWARD: return "backward";
	case JUMP_RESET: return "reset";
	}
	return "?";
}

UNWIND $_ids AS pid RETURN pid

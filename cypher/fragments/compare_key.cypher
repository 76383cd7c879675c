{{v}}[$_key] {{op}} $_value

"""kohoshi: Japanese municipal newsletters (広報紙) on the web and on phones."""

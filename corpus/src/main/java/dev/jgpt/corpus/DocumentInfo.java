package dev.jgpt.corpus;

/**
 * One document of a corpus as listed before reading: its name (a path relative to the corpus
 * root, '/'-separated) and its size in bytes (-1 when an archive does not record it).
 */
public record DocumentInfo(String name, long size) {}
